import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';

import { BucketSettings, DEFAULT_BUCKET_SETTINGS } from '../../bucket/settings';

describe('BucketSettings.parse', () => {
  it('reads the values of the drives settings', () => {
    expect(
      BucketSettings.parse({ refreshInterval: 5000, shareableLinkExpiry: 600 })
    ).toEqual({ refreshInterval: 5000, shareableLinkExpiry: 600 });
  });

  it('keeps the defaults for missing or invalid values', () => {
    expect(
      BucketSettings.parse({ refreshInterval: 10, shareableLinkExpiry: 'x' })
    ).toEqual(DEFAULT_BUCKET_SETTINGS);
    expect(BucketSettings.parse({ refreshInterval: 1500.5 })).toEqual(
      DEFAULT_BUCKET_SETTINGS
    );
  });
});

describe('BucketSettings.load', () => {
  /** A plugin's settings, as the registry hands them out. */
  function fakeSettings(composite: Record<string, unknown>) {
    const changed = new Signal<unknown, void>({});
    return {
      settings: { composite, changed } as unknown as ISettingRegistry.ISettings,
      change(values: Record<string, unknown>) {
        Object.assign(composite, values);
        changed.emit();
      }
    };
  }

  it('follows the settings of the plugin', async () => {
    const fake = fakeSettings({ refreshInterval: 2000 });
    const registry = {
      load: jest.fn(async () => fake.settings)
    } as unknown as ISettingRegistry;
    const settings = new BucketSettings();
    const seen: number[] = [];
    settings.changed.connect((_, values) => seen.push(values.refreshInterval));

    await settings.load(registry, 'jupyterlab-s3-connectors:drives');
    expect(registry.load).toHaveBeenCalledWith(
      'jupyterlab-s3-connectors:drives'
    );
    expect(settings.current.refreshInterval).toBe(2000);

    fake.change({ refreshInterval: 7000 });
    expect(settings.current.refreshInterval).toBe(7000);
    expect(seen).toEqual([2000, 7000]);
  });

  it('keeps the defaults when the settings cannot load', async () => {
    const registry = {
      load: async () => {
        throw new Error('no schema');
      }
    } as unknown as ISettingRegistry;
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    const settings = new BucketSettings();
    await settings.load(registry, 'jupyterlab-s3-connectors:drives');
    expect(settings.current).toEqual(DEFAULT_BUCKET_SETTINGS);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});
