import { isRefused } from '../../bucket/contextMenu';

describe('isRefused', () => {
  it.each([
    'filebrowser:rename',
    'filebrowser:cut',
    'filebrowser:paste',
    'filebrowser:duplicate',
    'filebrowser:create-new-file',
    'filebrowser:create-new-directory',
    'notebook:create-new',
    'fileeditor:create-new-markdown-file'
  ])('a read-only browser hides %s', command => {
    expect(isRefused(command, true)).toBe(true);
    expect(isRefused(command, false)).toBe(false);
  });

  it.each([
    'filebrowser:delete',
    'filebrowser:share-main',
    'terminal:open-folder-in-terminal'
  ])('no bucket browser shows %s', command => {
    expect(isRefused(command, false)).toBe(true);
    expect(isRefused(command, true)).toBe(true);
  });

  it.each([
    'filebrowser:open',
    'filebrowser:copy',
    'filebrowser:download',
    'filebrowser:copy-download-link',
    'filebrowser:open-browser-tab',
    'filebrowser:copy-path',
    's3-connectors:copy-s3-uri'
  ])('every bucket browser keeps %s', command => {
    expect(isRefused(command, true)).toBe(false);
  });
});
