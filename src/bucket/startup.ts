import { JupyterFrontEnd } from '@jupyterlab/application';
import { CommandRegistry } from '@lumino/commands';
import { PromiseDelegate } from '@lumino/coreutils';

/** The command JupyterLab runs to open the path of the page's URL. */
const FILEBROWSER_OPEN_PATH = 'filebrowser:open-path';

/** How long a deactivation waits, at most, for that command. */
const STARTUP_OPEN_TIMEOUT = 15000;

/**
 * Resolve once JupyterLab has opened the path of the page's URL
 * (`/lab/tree/<path>`), which it does after routing, possibly after the
 * layout is restored; at once when the URL names no path.
 */
export function whenStartupOpened(
  app: JupyterFrontEnd,
  treeResolver: JupyterFrontEnd.ITreeResolver | null
): Promise<void> {
  if (!treeResolver) {
    return Promise.resolve();
  }
  const expected = new Set<string>();
  const pending: Promise<unknown>[] = [];
  const opened = new PromiseDelegate<void>();
  const onExecuted = (
    _: CommandRegistry,
    executed: CommandRegistry.ICommandExecutedArgs
  ) => {
    const path = executed.args.path;
    if (
      executed.id === FILEBROWSER_OPEN_PATH &&
      typeof path === 'string' &&
      expected.delete(path)
    ) {
      pending.push(executed.result.catch(() => undefined));
      if (!expected.size) {
        void Promise.all(pending).then(() => opened.resolve());
      }
    }
  };
  // Connected now, before the routing that runs the command.
  app.commands.commandExecuted.connect(onExecuted);
  void treeResolver.paths.then(paths => {
    for (const path of [paths?.file, paths?.browser]) {
      if (path) {
        expected.add(path);
      }
    }
    if (!expected.size) {
      opened.resolve();
    }
  });
  // Never wait for long on a command that may not run (a disabled plugin).
  const timeout = new Promise<void>(resolve =>
    setTimeout(resolve, STARTUP_OPEN_TIMEOUT)
  );
  return Promise.race([opened.promise, timeout]).then(() => {
    app.commands.commandExecuted.disconnect(onExecuted);
  });
}
