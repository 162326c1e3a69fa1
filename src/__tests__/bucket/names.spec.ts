import {
  browserIdOf,
  colourOf,
  driveNameOf,
  initialsOf,
  TAB_COLOURS
} from '../../bucket/names';

describe('driveNameOf', () => {
  it('keys the drive by the connector ID', () => {
    expect(driveNameOf('8c0b5f0e-7f3a-4b3e-9d8a-1b2c3d4e5f60')).toBe(
      's3-8c0b5f0e-7f3a-4b3e-9d8a-1b2c3d4e5f60'
    );
  });

  it('makes a valid JupyterLab drive name of any ID', () => {
    const name = driveNameOf('a:b/c d');
    expect(name).not.toMatch(/[:/ ]/);
    expect(name).toBe('s3-a%3Ab%2Fc%20d');
  });
});

describe('browserIdOf', () => {
  it('names the browser after the connector', () => {
    expect(browserIdOf('sales')).toBe('jp-S3Connectors-browser-sales');
  });

  it("keeps a published connector's browser apart from an own one of the same name", () => {
    expect(browserIdOf('sales', 'team')).toBe(
      'jp-S3Connectors-browser-team_sales'
    );
    expect(browserIdOf('sales', 'team')).not.toBe(browserIdOf('sales'));
  });
});

describe('initialsOf', () => {
  it.each([
    ['sales-data', 'SD'],
    ['team-sales-prod', 'TP'],
    ['archive', 'AR'],
    ['a', 'A'],
    ['x2-backups', 'XB']
  ])('%s → %s', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });

  it('has a fallback for a name without letters or digits', () => {
    expect(initialsOf('--')).toBe('?');
  });
});

describe('colourOf', () => {
  it('is stable for an ID', () => {
    const id = '0f8e2a8c-3b1d-4c1e-9a55-7c1d2e3f4a5b';
    expect(colourOf(id)).toBe(colourOf(id));
    expect(TAB_COLOURS).toContain(colourOf(id));
  });

  it('spreads IDs over the palette', () => {
    const colours = new Set(
      Array.from({ length: 50 }, (_, i) =>
        colourOf(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)
      )
    );
    expect(colours.size).toBeGreaterThanOrEqual(TAB_COLOURS.length - 2);
  });
});
