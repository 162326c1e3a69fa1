import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { IConnector } from '../connectors/types';

/**
 * The line above a bucket browser's listing: the connector's name, bucket and
 * prefix, and a badge when it is read-only.
 */
export class BucketBrowserHeader extends Widget {
  constructor(connector: IConnector, trans: TranslationBundle) {
    super();
    this.addClass('jp-S3Connectors-browserHeader');
    const title = document.createElement('span');
    title.className = 'jp-S3Connectors-browserTitle';
    title.textContent = `${connector.name} · ${connector.bucket}${
      connector.prefix ? `/${connector.prefix}` : ''
    }`;
    title.title = `s3://${connector.bucket}/${connector.prefix} · ${connector.endpoint}`;
    this.node.appendChild(title);
    if (connector.mode === 'read-only') {
      const badge = document.createElement('span');
      badge.className = 'jp-S3Connectors-badge jp-S3Connectors-badge-read-only';
      badge.textContent = trans.__('read-only');
      this.node.appendChild(badge);
    }
  }
}
