/**
 * The uploads of a bucket browser (its upload button and files dropped on
 * it) sent as the files themselves: `S3Drive.uploadFile` streams each `File`
 * in parts, where JupyterLab's own upload would read it as base64 in 1 MiB
 * chunks. JupyterLab's upload progress (status bar) is kept, and a
 * notification shows the progress of a large file with a Cancel button.
 */
import { Notification } from '@jupyterlab/apputils';
import { IChangedArgs, PathExt } from '@jupyterlab/coreutils';
import { shouldOverwrite } from '@jupyterlab/docmanager';
import { FileBrowserModel, IUploadModel } from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import type { S3Drive } from '../drive';

/** Files from this size on get a progress notification with Cancel. */
const NOTIFY_FROM_BYTES = 8 * 1024 * 1024;

/** How often, at most, the notification's percentage is updated (ms). */
const NOTIFY_EVERY_MS = 250;

/**
 * Send the uploads of a bucket browser's model through its drive.
 */
export function streamUploads(options: streamUploads.IOptions): void {
  const { model, drive, trans, translator } = options;
  const uploadChanged = model.uploadChanged as Signal<
    FileBrowserModel,
    IChangedArgs<IUploadModel | null>
  >;
  model.upload = async (file: File, path?: string) => {
    const contents = model.manager.services.contents;
    const dir = path ?? model.path;
    await model.refresh();
    // Where the file is known to exist, ask as JupyterLab does. Elsewhere
    // (the folders of a drop) the drive's write condition refuses to
    // overwrite what it has not seen.
    const exists =
      dir === model.path &&
      [...model.items()].some(item => item.name === file.name);
    if (exists && !(await shouldOverwrite(file.name, translator))) {
      throw trans.__('File not uploaded');
    }
    const fullPath = dir.endsWith(':')
      ? dir + file.name
      : PathExt.join(dir, file.name);
    let upload: IUploadModel = { path: fullPath, progress: 0 };
    uploadChanged.emit({ name: 'start', newValue: upload, oldValue: null });
    const controller = new AbortController();
    const notice = new Private.Notice(file, controller, trans);
    try {
      const saved = await drive.uploadFile(contents.localPath(fullPath), file, {
        signal: controller.signal,
        onProgress: (loaded, total) => {
          const next = { path: fullPath, progress: total ? loaded / total : 1 };
          uploadChanged.emit({
            name: 'update',
            newValue: next,
            oldValue: upload
          });
          upload = next;
          notice.progress(loaded, total);
        }
      });
      uploadChanged.emit({ name: 'finish', newValue: null, oldValue: upload });
      notice.done();
      return saved as Contents.IModel;
    } catch (error) {
      uploadChanged.emit({ name: 'failure', newValue: upload, oldValue: null });
      notice.failed(error);
      throw error;
    }
  };
}

/**
 * A namespace for `streamUploads` statics.
 */
export namespace streamUploads {
  /** The options of `streamUploads`. */
  export interface IOptions {
    /** The model of the bucket browser. */
    model: FileBrowserModel;
    /** The drive of the bucket. */
    drive: S3Drive;
    /** The translation bundle. */
    trans: TranslationBundle;
    /** The translator (for JupyterLab's overwrite dialog). */
    translator?: ITranslator;
  }
}

namespace Private {
  /**
   * The notification of a large upload: its progress and a Cancel button.
   */
  export class Notice {
    constructor(
      private readonly _file: File,
      private readonly _controller: AbortController,
      private readonly _trans: TranslationBundle
    ) {
      if (_file.size < NOTIFY_FROM_BYTES) {
        return;
      }
      this._id = Notification.emit(this._message(0), 'in-progress', {
        autoClose: false,
        actions: [
          {
            label: _trans.__('Cancel'),
            caption: _trans.__('Cancel the upload: nothing is written'),
            callback: event => {
              event.preventDefault();
              _controller.abort();
            }
          }
        ]
      });
    }

    progress(loaded: number, total: number): void {
      const now = Date.now();
      if (!this._id || now - this._last < NOTIFY_EVERY_MS) {
        return;
      }
      this._last = now;
      Notification.update({
        id: this._id,
        message: this._message(total ? loaded / total : 1),
        type: 'in-progress',
        autoClose: false,
        actions: this._controller.signal.aborted ? [] : undefined
      });
    }

    done(): void {
      if (this._id) {
        Notification.update({
          id: this._id,
          message: this._trans.__('Uploaded "%1".', this._file.name),
          type: 'success',
          autoClose: 3000,
          actions: []
        });
      }
    }

    failed(error: unknown): void {
      if (!this._id) {
        return;
      }
      const cancelled = this._controller.signal.aborted;
      Notification.update({
        id: this._id,
        message: cancelled
          ? this._trans.__(
              'The upload of "%1" was cancelled: nothing was written.',
              this._file.name
            )
          : ((error as Error)?.message ?? String(error)),
        type: cancelled ? 'info' : 'error',
        autoClose: cancelled ? 5000 : false,
        actions: []
      });
    }

    private _message(fraction: number): string {
      return this._trans.__(
        'Uploading "%1" (%2 MiB): %3%',
        this._file.name,
        (this._file.size / (1024 * 1024)).toFixed(1),
        String(Math.floor(fraction * 100))
      );
    }

    private _id = '';
    private _last = 0;
  }
}
