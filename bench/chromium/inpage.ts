/* eslint-disable @typescript-eslint/no-explicit-any -- JupyterLab's objects, untyped here */
/**
 * Helpers of bench #9 that run in the page, bundled with esbuild and injected
 * like the floor (`window.s3cBenchPage`). They use JupyterLab's application
 * (`window.jupyterapp`, exposed by `--LabApp.expose_app_in_browser`).
 */

function app(): any {
  const lab = (window as any).jupyterapp;
  if (!lab) {
    throw new Error('window.jupyterapp is missing');
  }
  return lab;
}

/** Resolve with `performance.now()` at the first animation frame where `ready()`. */
function whenFrame(
  ready: () => boolean,
  what: string,
  timeoutMs = 300000
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const poll = () => {
      let done = false;
      try {
        done = ready();
      } catch (error) {
        reject(error);
        return;
      }
      if (done) {
        resolve(performance.now());
      } else if (performance.now() > deadline) {
        reject(new Error(`timed out: ${what}`));
      } else {
        requestAnimationFrame(poll);
      }
    };
    requestAnimationFrame(poll);
  });
}

/**
 * Open `path` in the editor (`docmanager:open`, factory `Editor`) and wait
 * for its first line on screen; close it again. Returns the times from the
 * command to the document's model loaded and to the content shown (ms).
 */
async function openInEditor(
  path: string,
  firstLine: string
): Promise<{
  fetched: number;
  loaded: number;
  shown: number;
  length: number;
}> {
  const t0 = performance.now();
  const widget = await app().commands.execute('docmanager:open', {
    path,
    factory: 'Editor'
  });
  let loaded = 0;
  void widget.context.ready.then(() => (loaded = performance.now()));
  const shown = await whenFrame(() => {
    if (widget.isDisposed) {
      throw new Error(`the editor of ${path} was closed`);
    }
    const line = widget.node.querySelector('.cm-content .cm-line');
    return loaded > 0 && line?.textContent === firstLine;
  }, `the editor of ${path} shows its content`);
  const length = widget.context.model.sharedModel.getSource().length;
  widget.dispose();
  // The end of the file's GET (the drive's request), from Resource Timing.
  const name = encodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  const fetched = performance
    .getEntriesByType('resource')
    .filter(
      e =>
        e.startTime >= t0 &&
        e.name.includes(name) &&
        !e.name.includes('list-type')
    )
    .map(e => (e as PerformanceResourceTiming).responseEnd)
    .filter(end => end <= loaded)
    .reduce((a, b) => Math.max(a, b), t0);
  return {
    fetched: fetched - t0,
    loaded: loaded - t0,
    shown: shown - t0,
    length
  };
}

/** The notebooks opened by `openNotebook`, by path. */
const notebooks = new Map<string, any>();

/**
 * Open a notebook (without a kernel: the bench measures the file) and wait
 * until its model is loaded.
 */
async function openNotebook(path: string): Promise<number> {
  const factory = app().docRegistry.getWidgetFactory('Notebook');
  // No kernel for the bench's notebooks: it would load the machine, and a
  // notebook without a kernelspec would ask for one.
  for (const field of ['_preferKernel', '_canStartKernel']) {
    if (field in factory) {
      factory[field] = false;
    }
  }
  const widget = await app().commands.execute('docmanager:open', {
    path,
    factory: 'Notebook'
  });
  await widget.context.ready;
  notebooks.set(path, widget);
  return widget.context.model.cells.length;
}

/**
 * Change the first cell of an open notebook and save it as Ctrl+S does
 * (`docmanager:save` on the current widget). Returns the times from the
 * command to the save's end (the document's save state "completed") and to
 * the command's end (which also creates a checkpoint) (ms).
 */
async function saveNotebook(
  path: string,
  round: number
): Promise<{ saved: number; command: number; requests: string[] }> {
  const widget = notebooks.get(path);
  if (!widget) {
    throw new Error(`${path} is not open`);
  }
  app().shell.activateById(widget.id);
  const cell = widget.context.model.sharedModel.cells[0];
  cell.setSource(
    `# round ${round}\n` + cell.getSource().replace(/^# round .*\n/, '')
  );
  let saved = 0;
  let failed = '';
  const onState = (_: unknown, state: string) => {
    if (state === 'completed') {
      saved = performance.now();
    } else if (state === 'failed') {
      failed = state;
    }
  };
  widget.context.saveState.connect(onState);
  const t0 = performance.now();
  try {
    await app().commands.execute('docmanager:save');
  } finally {
    widget.context.saveState.disconnect(onState);
  }
  const command = performance.now();
  const requests = performance
    .getEntriesByType('resource')
    .filter(e => e.startTime >= t0 && e.startTime <= command)
    .map(e => {
      const r = e as PerformanceResourceTiming;
      const url = new URL(r.name);
      return `${(r.startTime - t0).toFixed(0)}–${(r.responseEnd - t0).toFixed(0)} ms ${url.pathname.split('/').slice(-2).join('/')}${url.search}`;
    });
  if (failed || !saved) {
    throw new Error(`the save of ${path} did not complete`);
  }
  if (widget.context.model.dirty) {
    throw new Error(`${path} is still dirty after its save`);
  }
  return { saved: saved - t0, command: command - t0, requests };
}

/** Close the notebooks opened by `openNotebook`. */
function closeNotebooks(): void {
  for (const widget of notebooks.values()) {
    widget.context.model.dirty = false;
    widget.dispose();
  }
  notebooks.clear();
}

/** Refresh a bucket browser's listing (its model). */
async function refreshBrowser(id: string): Promise<void> {
  for (const widget of app().shell.widgets('left')) {
    if (widget.id === id) {
      await widget.model.refresh();
      return;
    }
  }
  throw new Error(`no browser ${id}`);
}

let renameStart = 0;

/** Note the time of the next Enter in a bucket browser (its rename box). */
function armRename(id: string): void {
  renameStart = 0;
  document.getElementById(id)!.addEventListener(
    'keydown',
    event => {
      if ((event as KeyboardEvent).key === 'Enter') {
        renameStart = performance.now();
      }
    },
    { capture: true, once: true }
  );
}

/**
 * Wait until a bucket browser's listing shows `to` and no longer `from`;
 * the time from the Enter noted by `armRename` (ms).
 */
async function renamed(id: string, from: string, to: string): Promise<number> {
  const root = document.getElementById(id)!;
  const names = () =>
    [
      ...root.querySelectorAll('.jp-DirListing-item .jp-DirListing-itemText')
    ].map(item => item.textContent);
  const end = await whenFrame(() => {
    const shown = names();
    return shown.includes(to) && !shown.includes(from);
  }, `the listing shows ${to} in place of ${from}`);
  if (!renameStart) {
    throw new Error('the Enter of the rename was not seen');
  }
  // The requests of the rename, by kind: count, first start, last end (ms).
  const kinds: Record<string, [number, number, number]> = {};
  for (const entry of performance.getEntriesByType('resource')) {
    const r = entry as PerformanceResourceTiming;
    if (r.startTime < renameStart || r.startTime > end) {
      continue;
    }
    const url = new URL(r.name);
    const kind =
      (url.searchParams.get('x-id') ??
        (url.searchParams.has('list-type')
          ? `list ${url.searchParams.get('max-keys') ?? ''}`
          : url.searchParams.has('delete')
            ? 'delete'
            : r.initiatorType)) +
      (url.pathname.includes('/proxy/') ? ' (proxy)' : '');
    const k = (kinds[kind] ??= [0, Infinity, 0]);
    k[0] += 1;
    k[1] = Math.min(k[1], r.startTime - renameStart);
    k[2] = Math.max(k[2], r.responseEnd - renameStart);
  }
  (window as any).s3cBenchRenameRequests = Object.entries(kinds).map(
    ([kind, [n, first, last]]) =>
      `${kind}: ${n}, ${first.toFixed(0)}–${last.toFixed(0)} ms`
  );
  return end - renameStart;
}

(window as unknown as Record<string, unknown>).s3cBenchPage = {
  openInEditor,
  openNotebook,
  saveNotebook,
  closeNotebooks,
  refreshBrowser,
  armRename,
  renamed
};
