import { isRefused } from '../../bucket/contextMenu';

const READ_WRITE = { readOnly: false, direct: false };
const READ_ONLY = { readOnly: true, direct: false };
const DIRECT = { readOnly: false, direct: true };

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
    expect(isRefused(command, READ_ONLY)).toBe(true);
    expect(isRefused(command, READ_WRITE)).toBe(false);
    expect(isRefused(command, DIRECT)).toBe(false);
  });

  it.each([
    'filebrowser:delete',
    'filebrowser:share-main',
    'terminal:open-folder-in-terminal'
  ])('no bucket browser shows %s', command => {
    expect(isRefused(command, READ_WRITE)).toBe(true);
    expect(isRefused(command, READ_ONLY)).toBe(true);
    expect(isRefused(command, DIRECT)).toBe(true);
  });

  it.each([
    'filebrowser:open',
    'filebrowser:copy',
    'filebrowser:download',
    'filebrowser:copy-download-link',
    'filebrowser:copy-path',
    's3-connectors:copy-s3-uri'
  ])('every bucket browser keeps %s', command => {
    expect(isRefused(command, READ_WRITE)).toBe(false);
    expect(isRefused(command, READ_ONLY)).toBe(false);
    expect(isRefused(command, DIRECT)).toBe(false);
  });

  it('only a direct browser hides "Open in New Browser Tab"', () => {
    const command = 'filebrowser:open-browser-tab';
    expect(isRefused(command, DIRECT)).toBe(true);
    expect(isRefused(command, READ_WRITE)).toBe(false);
    expect(isRefused(command, READ_ONLY)).toBe(false);
  });
});
