import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatUTCDate } from '../connectors/format';
import { IConnector, ITestResult } from '../connectors/types';
import { backendLabel, MountState } from './MountState';

/** The actions a user can take on one connector. */
export interface IConnectorActions {
  toggleActive(connector: IConnector): void;
  browse(connector: IConnector): void;
  edit(connector: IConnector): void;
  test(connector: IConnector): void;
  remove(connector: IConnector): void;
  /** Mount an active mount-backend connector again. */
  remount(connector: IConnector): void;
}

export interface IConnectorDetailsProps {
  connector: IConnector;
  test: ITestResult | undefined;
  testing: boolean;
  /** Whether the S3 server checks write conditions, once known. */
  writeChecks?: 'honoured' | 'ignored';
  actions: IConnectorActions;
  trans: TranslationBundle;
}

/**
 * Every field of a connector, and its actions.
 */
export function ConnectorDetails(props: IConnectorDetailsProps): JSX.Element {
  const { connector: c, trans, actions } = props;
  const dash = '—';
  const rows: [string, string, string][] = [
    ['id', trans.__('ID'), c.id],
    ['description', trans.__('Description'), c.description || dash],
    ['endpoint', trans.__('Endpoint'), c.endpoint],
    ['region', trans.__('Region'), c.region || dash],
    ['bucket', trans.__('Bucket'), c.bucket],
    ['prefix', trans.__('Folder'), c.prefix || dash],
    ['access_key_id', trans.__('Access key ID'), c.access_key_id],
    [
      'secret',
      trans.__('Secret key'),
      c.has_secret ? trans.__('Stored encrypted') : trans.__('Not set')
    ],
    [
      'mode',
      trans.__('Mode'),
      c.mode === 'read-only' ? trans.__('Read-only') : trans.__('Read-write')
    ],
    ['backend', trans.__('Backend'), backendLabel(c.backend, trans)],
    ['creator', trans.__('Creator'), c.creator || dash],
    [
      'created_at',
      trans.__('Created (UTC)'),
      formatUTCDate(c.created_at, trans)
    ],
    [
      'updated_at',
      trans.__('Updated (UTC)'),
      formatUTCDate(c.updated_at, trans)
    ]
  ];
  return (
    <div className="jp-S3Connectors-details" aria-label={trans.__('Details')}>
      <dl>
        {rows.map(([key, label, value]) => (
          <React.Fragment key={key}>
            <dt>{label}</dt>
            <dd data-field={key} title={value}>
              {value}
            </dd>
          </React.Fragment>
        ))}
      </dl>
      {c.mount && <MountState connector={c} mount={c.mount} trans={trans} />}
      {props.writeChecks === 'ignored' && (
        <div
          className="jp-S3Connectors-note jp-mod-warning"
          data-note="write-checks"
          role="note"
        >
          {trans.__(
            "This S3 server doesn't check conditional writes (If-Match): the drive checks each file just before saving it, which narrows but cannot close the moment in which another writer's change could be overwritten."
          )}
        </div>
      )}
      {props.testing && (
        <div className="jp-S3Connectors-test" role="status">
          {trans.__('Testing the connection…')}
        </div>
      )}
      {!props.testing && props.test && (
        <div
          className={`jp-S3Connectors-test ${
            props.test.ok ? 'jp-mod-success' : 'jp-mod-failure'
          }`}
          role="status"
        >
          {props.test.message}
        </div>
      )}
      <div className="jp-S3Connectors-actions">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept"
          onClick={() => actions.toggleActive(c)}
        >
          {c.active ? trans.__('Deactivate') : trans.__('Activate')}
        </button>
        {c.active && (!c.mount || c.mount.state === 'mounted') && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => actions.browse(c)}
          >
            {trans.__('Browse files')}
          </button>
        )}
        {c.active && c.mount && c.mount.state !== 'mounted' && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            data-action="remount"
            onClick={() => actions.remount(c)}
          >
            {trans.__('Remount')}
          </button>
        )}
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => actions.edit(c)}
        >
          {trans.__('Edit')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          disabled={props.testing}
          onClick={() => actions.test(c)}
        >
          {trans.__('Test connection')}
        </button>
        <button
          className="jp-Button jp-mod-styled jp-mod-warn"
          onClick={() => actions.remove(c)}
        >
          {trans.__('Delete')}
        </button>
      </div>
    </div>
  );
}
