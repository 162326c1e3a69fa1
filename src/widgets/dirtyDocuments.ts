import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

/** A document widget opened from a drive, and its context. */
export interface IOpenDocument {
  widget: Widget;
  context: DocumentRegistry.Context;
}

/**
 * The documents of the main area that were opened from a drive.
 */
export function documentsOfDrive(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  driveName: string
): IOpenDocument[] {
  return documentsBelow(app, docManager, `${driveName}:`);
}

/**
 * The documents of the main area whose path starts with `prefix` (a drive's
 * `name:`, or a folder's `path/` such as a mounted bucket's).
 */
export function documentsBelow(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  prefix: string
): IOpenDocument[] {
  const found: IOpenDocument[] = [];
  for (const widget of app.shell.widgets('main')) {
    const context = docManager.contextForWidget(widget);
    if (context && context.path.startsWith(prefix)) {
      found.push({ widget, context });
    }
  }
  return found;
}

/**
 * Close the documents of a drive before it goes away, asking what to do with
 * unsaved changes.
 *
 * @returns false when the user cancelled (nothing was closed).
 */
export async function closeDocumentsOfDrive(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  driveName: string,
  options: { trans: TranslationBundle; title: string }
): Promise<boolean> {
  return closeDocumentsBelow(app, docManager, `${driveName}:`, options);
}

/**
 * Close the documents whose path starts with `prefix` (see `documentsBelow`),
 * asking what to do with unsaved changes.
 *
 * @returns false when the user cancelled (nothing was closed).
 */
export async function closeDocumentsBelow(
  app: JupyterFrontEnd,
  docManager: IDocumentManager,
  prefix: string,
  options: { trans: TranslationBundle; title: string }
): Promise<boolean> {
  const { trans } = options;
  const open = documentsBelow(app, docManager, prefix);
  const dirty = open.filter(d => d.context.model.dirty);
  if (dirty.length) {
    const names = dirty.map(d => d.context.localPath).join(', ');
    const result = await showDialog({
      title: options.title,
      body: trans._n(
        'The document %2 has unsaved changes. Save it before closing?',
        '%1 documents have unsaved changes: %2. Save them before closing?',
        dirty.length,
        names
      ),
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.warnButton({ label: trans.__('Discard changes') }),
        Dialog.okButton({ label: trans.__('Save') })
      ],
      defaultButton: 2
    });
    if (!result.button.accept) {
      return false;
    }
    if (result.button.displayType !== 'warn') {
      for (const { context } of dirty) {
        try {
          await context.save();
        } catch (error) {
          // A failed save keeps the document open and the drive active.
          await showDialog({
            title: trans.__('Saving failed'),
            body: trans.__(
              '%1 could not be saved: %2. The connector stays active so that nothing is lost.',
              context.localPath,
              (error as Error).message
            ),
            buttons: [Dialog.okButton({ label: trans.__('OK') })]
          });
          return false;
        }
      }
    }
  }
  for (const { widget, context } of open) {
    // Closing discards what was not saved above, as the user chose.
    context.model.dirty = false;
    widget.close();
  }
  return true;
}
