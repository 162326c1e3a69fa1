import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

// Type-only: the drive and the AWS SDK load on first activation.
import type { S3Drive } from '../drive';

/** Folder operations on fewer objects finish too fast to need a notification. */
export const PROGRESS_THRESHOLD = 20;

/**
 * Shows the long folder operations of the drives (rename, delete, copy) in
 * notifications, updated as they go and turned into a success or an error at
 * the end. Short operations stay silent.
 */
export class ProgressNotifier {
  constructor(trans: TranslationBundle) {
    this._trans = trans;
  }

  /** Show a progress report of the drive of connector `id`. */
  show(id: string, progress: S3Drive.IProgress): void {
    const trans = this._trans;
    const key = `${id}\n${progress.operation}\n${progress.path}`;
    const name = progress.path || '/';
    const labels = {
      delete: trans.__('Deleting "%1"', name),
      rename: trans.__('Renaming "%1" to "%2"', name, progress.newPath ?? ''),
      copy: trans.__('Copying "%1"', name)
    };
    const label = labels[progress.operation];
    let notification = this._notifications.get(key);
    if (progress.error !== undefined) {
      this._notifications.delete(key);
      const message = trans.__('%1 failed: %2', label, progress.error);
      if (notification) {
        Notification.update({
          id: notification,
          message,
          type: 'error',
          autoClose: false
        });
      }
      return;
    }
    const total = Math.max(progress.total, 1);
    const message = trans.__(
      '%1: %2 of %3 objects',
      label,
      progress.done,
      progress.total
    );
    if (!notification) {
      if (progress.done !== 0 || progress.total < PROGRESS_THRESHOLD) {
        return;
      }
      notification = Notification.emit(message, 'in-progress', {
        autoClose: false,
        progress: 0
      });
      this._notifications.set(key, notification);
      return;
    }
    if (progress.done >= progress.total) {
      this._notifications.delete(key);
      Notification.update({
        id: notification,
        message: trans.__('%1: done (%2 objects)', label, progress.total),
        type: 'success',
        progress: 1,
        autoClose: 4000
      });
    } else {
      Notification.update({
        id: notification,
        message,
        type: 'in-progress',
        progress: progress.done / total
      });
    }
  }

  private _trans: TranslationBundle;
  /** Notification IDs by connector, operation and path. */
  private _notifications = new Map<string, string>();
}
