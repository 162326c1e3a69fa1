import { Time } from '@jupyterlab/coreutils';
import { DirListing } from '@jupyterlab/filebrowser';
import { Contents } from '@jupyterlab/services';

import { BucketListingRenderer } from '../../bucket/listing';

const DAY = 24 * 60 * 60 * 1000;

/** A date `days` (and a half, away from unit boundaries) ago. */
const ago = (days: number) =>
  new Date(Date.now() - (days + 0.5) * DAY).toISOString();

function model(overrides: Partial<Contents.IModel> = {}): Contents.IModel {
  const modified = ago(3);
  return {
    name: 'data.csv',
    path: 'reports/2026/data.csv',
    type: 'file',
    writable: true,
    created: modified,
    last_modified: modified,
    mimetype: 'text/csv',
    content: null,
    format: null,
    size: 12345,
    ...overrides
  };
}

type Args = Parameters<DirListing.Renderer['updateItemNode']>;

/**
 * Render the same updates with JupyterLab's renderer and ours: the rows must
 * be the same, text, tooltips and dates.
 */
function renderBoth(updates: ((node: HTMLElement) => Args)[]): void {
  const theirs = new DirListing.Renderer();
  const ours = new BucketListingRenderer();
  const theirNode = theirs.createItemNode();
  const ourNode = ours.createItemNode();
  for (const update of updates) {
    theirs.updateItemNode(...update(theirNode));
    ours.updateItemNode(...update(ourNode));
    expect(ourNode.outerHTML).toBe(theirNode.outerHTML);
  }
}

describe('BucketListingRenderer', () => {
  afterEach(() => {
    document.documentElement.lang = '';
  });

  const styles: Time.HumanStyle[] = ['narrow', 'short', 'long'];

  it.each(styles)('renders rows as JupyterLab does (%s dates)', style => {
    const hidden = new Set<DirListing.ToggleableColumn>(['file_size']);
    const shown = new Set<DirListing.ToggleableColumn>();
    renderBoth([
      node => [node, model(), undefined, undefined, hidden, false, style],
      // Only the date changes (JupyterLab's renderer writes the row again).
      node => [
        node,
        model({ last_modified: ago(40) }),
        undefined,
        undefined,
        hidden,
        false,
        style
      ],
      // Columns shown, selected, another date style for "created".
      node => [
        node,
        model({ last_modified: ago(400), created: ago(800) }),
        undefined,
        undefined,
        shown,
        true,
        style,
        undefined,
        'long'
      ],
      // Renamed, read-only, no dates at all.
      node => [
        node,
        model({
          name: '.hidden',
          writable: false,
          created: '',
          last_modified: ''
        }),
        undefined,
        undefined,
        shown,
        false,
        style
      ],
      // A folder, dates back.
      node => [
        node,
        model({ type: 'directory', name: 'reports', size: undefined }),
        undefined,
        undefined,
        shown,
        false,
        style
      ]
    ]);
  });

  it('follows the page language', () => {
    document.documentElement.lang = 'fr';
    renderBoth([
      node => [node, model(), undefined, undefined, new Set(), false, 'long']
    ]);
    const node = new BucketListingRenderer().createItemNode();
    new BucketListingRenderer().updateItemNode(node, model());
    expect(node.title).toMatch(/Modified: \d\d\/\d\d\/\d{4}/);
  });

  it('updates a date cell only when its date or style changes', () => {
    const renderer = new BucketListingRenderer();
    const cell = document.createElement('span');
    renderer.updateItemModified(cell, ago(3), 'long');
    expect(cell.textContent).toBe(Time.formatHuman(ago(3), 'long'));
    expect(cell.title).toBe(Time.format(ago(3)));
    const date = ago(5);
    renderer.updateItemModified(cell, date, 'long');
    cell.textContent = 'kept';
    renderer.updateItemModified(cell, date, 'long');
    expect(cell.textContent).toBe('kept');
    renderer.updateItemModified(cell, date, 'narrow');
    expect(cell.textContent).toBe(Time.formatHuman(date, 'narrow'));
  });
});
