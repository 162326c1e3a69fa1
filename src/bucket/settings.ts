import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ISignal, Signal } from '@lumino/signaling';

/** The settings of the bucket browsers (`schema/drives.json`). */
export interface IBucketSettings {
  /** How often a bucket browser lists its folder again, in milliseconds. */
  refreshInterval: number;
  /** The lifetime of a presigned link, in seconds. */
  shareableLinkExpiry: number;
}

/** The schema's defaults, used until (or if) the settings load. */
export const DEFAULT_BUCKET_SETTINGS: IBucketSettings = {
  refreshInterval: 30000,
  shareableLinkExpiry: 3600
};

/**
 * The current bucket settings, following the setting registry.
 */
export class BucketSettings {
  /** The current values. */
  get current(): IBucketSettings {
    return this._current;
  }

  /** Emitted when a value changes. */
  get changed(): ISignal<this, IBucketSettings> {
    return this._changed;
  }

  /**
   * Load the settings of a plugin and follow their changes. A failure keeps
   * the defaults and is reported in the console.
   */
  async load(registry: ISettingRegistry, pluginId: string): Promise<void> {
    try {
      const settings = await registry.load(pluginId);
      const update = () => {
        this._current = BucketSettings.parse(settings.composite);
        this._changed.emit(this._current);
      };
      update();
      settings.changed.connect(update);
    } catch (reason) {
      console.error(`Failed to load the settings of ${pluginId}.`, reason);
    }
  }

  private _current: IBucketSettings = { ...DEFAULT_BUCKET_SETTINGS };
  private _changed = new Signal<this, IBucketSettings>(this);
}

export namespace BucketSettings {
  /** The values of a composite setting, each one checked, or its default. */
  export function parse(
    composite: Readonly<Record<string, unknown>>
  ): IBucketSettings {
    const integer = (key: keyof IBucketSettings, min: number) => {
      const value = composite[key];
      return typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= min
        ? value
        : DEFAULT_BUCKET_SETTINGS[key];
    };
    return {
      refreshInterval: integer('refreshInterval', 1000),
      shareableLinkExpiry: integer('shareableLinkExpiry', 60)
    };
  }
}
