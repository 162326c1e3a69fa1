import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { IConnector } from '../connectors/types';
import { bucketIcon } from '../icons';
import { IConnectorsModel } from '../tokens';
import { ConnectorDetails, IConnectorActions } from './ConnectorDetails';
import { mountStateLabel } from './MountState';

/** A shell command: not translated. */
const ENABLE_COMMAND =
  'jupyter server extension enable jupyterlab_s3_connectors';

export interface IConnectorListProps {
  model: IConnectorsModel;
  actions: IConnectorActions & { create(): void; retry(): void };
  trans: TranslationBundle;
}

/**
 * The list of connectors; the selected one shows its details.
 */
export function ConnectorList(props: IConnectorListProps): JSX.Element {
  const { model, trans, actions } = props;
  if (model.status === 'missing-server') {
    return (
      <div className="jp-S3Connectors-message jp-mod-error" role="alert">
        <p>{trans.__('The S3 Connectors server extension is not running.')}</p>
        <p>
          {trans.__(
            'Enable it with the command below, then restart JupyterLab:'
          )}
        </p>
        <pre>{ENABLE_COMMAND}</pre>
      </div>
    );
  }
  if (model.status === 'error' && !model.connectors.length) {
    return (
      <div className="jp-S3Connectors-message jp-mod-error" role="alert">
        <p>{trans.__('The connectors could not be loaded: %1', model.error)}</p>
        <button
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => actions.retry()}
        >
          {trans.__('Try again')}
        </button>
      </div>
    );
  }
  if (model.status === 'loading' && !model.connectors.length) {
    return (
      <div className="jp-S3Connectors-message">{trans.__('Loading…')}</div>
    );
  }
  const own = model.connectors.filter(c => !c.catalog);
  const items = (connectors: ReadonlyArray<IConnector>, label: string) => (
    <ul className="jp-S3Connectors-list" aria-label={label}>
      {connectors.map(connector => (
        <ConnectorItem
          key={connector.id}
          connector={connector}
          selected={connector.id === model.selectedId}
          onSelect={() =>
            (model.selectedId =
              model.selectedId === connector.id ? null : connector.id)
          }
          {...props}
        />
      ))}
    </ul>
  );
  return (
    <>
      {own.length ? (
        items(own, trans.__('S3 connectors'))
      ) : (
        <div className="jp-S3Connectors-message">
          <p>{trans.__('No S3 connectors yet.')}</p>
          {model.permissions.write && (
            <button
              className="jp-Button jp-mod-styled jp-mod-accept"
              onClick={() => actions.create()}
            >
              {trans.__('New connector')}
            </button>
          )}
        </div>
      )}
      {model.catalogs
        .filter(c => c.connectors.length || c.problems.length || c.unavailable)
        .map(catalog => (
          <section
            key={catalog.name}
            className="jp-S3Connectors-catalog"
            data-catalog={catalog.name}
          >
            <h3 className="jp-S3Connectors-catalogTitle">
              {catalog.read_only
                ? trans.__('Provided by %1', catalog.title)
                : trans.__('Published in %1', catalog.title)}
            </h3>
            {catalog.unavailable && (
              <div className="jp-S3Connectors-note jp-mod-warning" role="note">
                {catalog.unavailable}
              </div>
            )}
            {catalog.problems.map(problem => (
              <div
                key={problem}
                className="jp-S3Connectors-note jp-mod-warning"
                role="note"
              >
                {problem}
              </div>
            ))}
            {catalog.connectors.length > 0 &&
              items(
                model.connectors.filter(c => c.catalog === catalog.name),
                trans.__('Connectors of %1', catalog.title)
              )}
          </section>
        ))}
    </>
  );
}

function ConnectorItem(
  props: IConnectorListProps & {
    connector: IConnector;
    selected: boolean;
    onSelect(): void;
  }
): JSX.Element {
  const { connector: c, trans, selected } = props;
  const classes = ['jp-S3Connectors-item'];
  if (selected) {
    classes.push('jp-mod-selected');
  }
  if (c.active) {
    classes.push('jp-mod-active');
  }
  return (
    <li className={classes.join(' ')} data-connector-name={c.name}>
      <div
        className="jp-S3Connectors-itemHeader"
        role="button"
        tabIndex={0}
        aria-expanded={selected}
        onClick={props.onSelect}
        onKeyDown={event => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            props.onSelect();
          }
        }}
      >
        <bucketIcon.react
          className="jp-S3Connectors-itemIcon"
          tag="span"
          elementSize="normal"
        />
        <div className="jp-S3Connectors-itemText">
          <div className="jp-S3Connectors-itemName">{c.name}</div>
          <div
            className="jp-S3Connectors-itemLocation"
            title={`${c.bucket} · ${c.endpoint}`}
          >
            {c.bucket} · {c.endpoint}
          </div>
          <div className="jp-S3Connectors-badges">
            <span
              className={`jp-S3Connectors-badge jp-S3Connectors-badge-${c.mode}`}
            >
              {c.mode === 'read-only'
                ? trans.__('read-only')
                : trans.__('read-write')}
            </span>
            <span
              className={`jp-S3Connectors-badge jp-S3Connectors-badge-${c.backend}`}
            >
              {c.backend === 'direct'
                ? trans.__('direct')
                : c.backend === 's3fs'
                  ? trans.__('s3fs')
                  : c.backend === 'rclone'
                    ? trans.__('rclone')
                    : trans.__('proxy')}
            </span>
            {c.mount && (c.active || c.mount.state === 'failed') && (
              <span
                className={`jp-S3Connectors-badge jp-S3Connectors-badge-mount jp-mod-${c.mount.state}`}
                data-mount-state={c.mount.state}
                title={c.mount.error ?? ''}
              >
                {mountStateLabel(c.mount.state, trans)}
              </span>
            )}
            {c.active && (
              <span className="jp-S3Connectors-badge jp-S3Connectors-badge-active">
                {trans.__('active')}
              </span>
            )}
            {!c.catalog && props.model.publications(c.id).length > 0 && (
              <span className="jp-S3Connectors-badge jp-S3Connectors-badge-published">
                {trans.__('published')}
              </span>
            )}
          </div>
        </div>
      </div>
      {selected && (
        <ConnectorDetails
          connector={c}
          catalogs={props.model.catalogs}
          permissions={props.model.permissions}
          test={props.model.lastTest(c.id)}
          writeChecks={props.model.writeChecks(c.id)}
          testing={props.model.isTesting(c.id)}
          actions={props.actions}
          trans={trans}
        />
      )}
    </li>
  );
}
