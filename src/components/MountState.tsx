import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IConnector, IMountStatus } from '../connectors/types';

/** The name of a backend, for people. */
export function backendLabel(
  backend: IConnector['backend'],
  trans: TranslationBundle
): string {
  switch (backend) {
    case 'direct':
      return trans.__('Direct');
    case 's3fs':
      return trans.__('s3fs (mounted)');
    case 'rclone':
      return trans.__('rclone (mounted)');
    default:
      return trans.__('Proxy');
  }
}

/** A mount's state in a word. */
export function mountStateLabel(
  state: IMountStatus['state'],
  trans: TranslationBundle
): string {
  switch (state) {
    case 'mounting':
      return trans.__('mounting…');
    case 'mounted':
      return trans.__('mounted');
    case 'failed':
      return trans.__('mount failed');
    case 'lost':
      return trans.__('mount lost');
    default:
      return trans.__('not mounted');
  }
}

export interface IMountStateProps {
  connector: IConnector;
  mount: IMountStatus;
  trans: TranslationBundle;
}

/**
 * Where a mount-backend connector is mounted, its state, and what went wrong
 * (the mount tool's own words) when it failed or was lost.
 */
export function MountState(props: IMountStateProps): JSX.Element {
  const { connector, mount, trans } = props;
  const where = mount.path !== null ? `${mount.path}/` : mount.local_path;
  const bad = mount.state === 'failed' || mount.state === 'lost';
  const shown = connector.active || bad;
  return (
    <div
      className={`jp-S3Connectors-mount jp-mod-${mount.state}`}
      data-mount-state={mount.state}
      role="status"
    >
      <div className="jp-S3Connectors-mountState">
        {shown
          ? trans.__(
              'Mount: %1 at %2',
              mountStateLabel(mount.state, trans),
              where
            )
          : trans.__('Activating mounts the bucket at %1', where)}
      </div>
      {bad && mount.error && (
        <div className="jp-S3Connectors-mountError">
          {mount.state === 'lost'
            ? trans.__('The mount tool stopped: %1', mount.error)
            : trans.__('The mount tool said: %1', mount.error)}
        </div>
      )}
    </div>
  );
}
