import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { formatUTCDate } from '../connectors/format';
import {
  ICatalog,
  IConnector,
  IPermissions,
  ITestResult
} from '../connectors/types';
import { backendLabel, MountState } from './MountState';

/** The actions a user can take on one connector. */
export interface IConnectorActions {
  toggleActive(connector: IConnector): void;
  browse(connector: IConnector): void;
  edit(connector: IConnector): void;
  test(connector: IConnector): void;
  remove(connector: IConnector): void;
  publish(connector: IConnector, catalog: string): void;
  unpublish(connector: IConnector, catalog: string): void;
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
  /** The catalogs, for the Access section. */
  catalogs?: ReadonlyArray<ICatalog>;
  /** What the user may do; everything when not given. */
  permissions?: IPermissions;
}

/**
 * Every field of a connector, and its actions.
 */
export function ConnectorDetails(props: IConnectorDetailsProps): JSX.Element {
  const { connector: c, trans, actions } = props;
  const may = props.permissions ?? { read: true, write: true, execute: true };
  const editable = c.editable !== false && !c.catalog;
  const dash = '—';
  const rows: [string, string, string][] = [
    ['id', trans.__('ID'), c.id],
    ['description', trans.__('Description'), c.description || dash],
    ['endpoint', trans.__('Endpoint'), c.endpoint],
    ['region', trans.__('Region'), c.region || dash],
    ['bucket', trans.__('Bucket'), c.bucket],
    ['prefix', trans.__('Folder'), c.prefix || dash],
    ['access_key_id', trans.__('Access key ID'), c.access_key_id || dash],
    [
      'secret',
      trans.__('Secret key'),
      c.secret_source === 'server' || c.credentials === 'server'
        ? trans.__("The server's own AWS credentials")
        : c.secret_source === 'administrator'
          ? trans.__('Provided by the administrator')
          : c.has_secret
            ? trans.__('Stored encrypted')
            : trans.__('Not set')
    ],
    [
      'mode',
      trans.__('Mode'),
      c.mode === 'read-only' ? trans.__('Read-only') : trans.__('Read-write')
    ],
    ['backend', trans.__('Backend'), backendLabel(c.backend, trans)],
    ['creator', trans.__('Creator'), c.creator || dash],
    ...(c.catalog
      ? ([
          ['published_by', trans.__('Published by'), c.published_by || dash],
          [
            'published_at',
            trans.__('Published (UTC)'),
            c.published_at ? formatUTCDate(c.published_at, trans) : dash
          ]
        ] as [string, string, string][])
      : []),
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
        {may.execute && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={() => actions.toggleActive(c)}
          >
            {c.active ? trans.__('Deactivate') : trans.__('Activate')}
          </button>
        )}
        {may.execute &&
          c.active &&
          (!c.mount || c.mount.state === 'mounted') && (
            <button
              className="jp-Button jp-mod-styled jp-mod-accept"
              onClick={() => actions.browse(c)}
            >
              {trans.__('Browse files')}
            </button>
          )}
        {may.execute && c.active && c.mount && c.mount.state !== 'mounted' && (
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            data-action="remount"
            onClick={() => actions.remount(c)}
          >
            {trans.__('Remount')}
          </button>
        )}
        {may.write && editable && (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            onClick={() => actions.edit(c)}
          >
            {trans.__('Edit')}
          </button>
        )}
        {may.execute && (
          <button
            className="jp-Button jp-mod-styled jp-mod-reject"
            disabled={props.testing}
            onClick={() => actions.test(c)}
          >
            {trans.__('Test connection')}
          </button>
        )}
        {may.write && editable && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            onClick={() => actions.remove(c)}
          >
            {trans.__('Delete')}
          </button>
        )}
        {may.write && c.catalog && c.can_unpublish && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn"
            onClick={() => actions.unpublish(c, c.catalog!)}
          >
            {trans.__('Unpublish')}
          </button>
        )}
      </div>
      {!c.catalog && (
        <AccessSection
          connector={c}
          catalogs={props.catalogs ?? []}
          canWrite={may.write}
          actions={actions}
          trans={trans}
        />
      )}
    </div>
  );
}

/**
 * Where a user's connector is published, with Publish and Unpublish for each
 * catalog of the team (those the administrator provides are not published to).
 */
function AccessSection(props: {
  connector: IConnector;
  catalogs: ReadonlyArray<ICatalog>;
  canWrite: boolean;
  actions: IConnectorActions;
  trans: TranslationBundle;
}): JSX.Element | null {
  const { connector: c, trans, actions } = props;
  const catalogs = props.catalogs.filter(catalog => !catalog.read_only);
  if (!catalogs.length) {
    return null;
  }
  return (
    <section className="jp-S3Connectors-access" aria-label={trans.__('Access')}>
      <h4>{trans.__('Access')}</h4>
      <ul>
        {catalogs.map(catalog => {
          const copy = catalog.connectors.find(
            p => p.id === `${catalog.name}.${c.id}`
          );
          const refusal = props.canWrite
            ? catalog.cannot_publish
            : trans.__('You may not change connectors on this server.');
          return (
            <li key={catalog.name} data-catalog={catalog.name}>
              <span className="jp-S3Connectors-accessText">
                {copy
                  ? trans.__(
                      'Published in %1 by %2, %3 (UTC)',
                      catalog.title,
                      copy.published_by ?? '',
                      copy.published_at
                        ? formatUTCDate(copy.published_at, trans)
                        : ''
                    )
                  : trans.__('Not published in %1', catalog.title)}
              </span>
              <button
                className={`jp-Button jp-mod-styled ${
                  copy ? 'jp-mod-warn' : 'jp-mod-accept'
                }`}
                disabled={!!refusal}
                title={refusal ?? ''}
                onClick={() =>
                  copy
                    ? actions.unpublish(c, catalog.name)
                    : actions.publish(c, catalog.name)
                }
              >
                {copy
                  ? trans.__('Unpublish')
                  : trans.__('Publish to %1', catalog.title)}
              </button>
              {refusal && (
                <div className="jp-S3Connectors-accessReason" role="note">
                  {refusal}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
