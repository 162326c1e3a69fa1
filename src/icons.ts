import { LabIcon } from '@jupyterlab/ui-components';

import bucketSvg from '../style/icons/bucket.svg';
import bucketTabSvg from '../style/icons/bucket-tab.svg';

import { colourOf, initialsOf } from './bucket/names';

export const bucketIcon = new LabIcon({
  name: 'jupyterlab-s3-connectors:bucket',
  svgstr: bucketSvg
});

/**
 * The sidebar tab of one connector's bucket browser: the bucket in the
 * connector's colour with its initials, so that several active connectors
 * are told apart at a glance. One icon per connector ID, updated on rename.
 */
export function connectorTabIcon(connector: {
  id: string;
  name: string;
}): LabIcon {
  return new LabIcon({
    name: `jupyterlab-s3-connectors:bucket-${connector.id}`,
    svgstr: bucketTabSvg
      .replace('__COLOUR__', colourOf(connector.id))
      .replace('__INITIALS__', initialsOf(connector.name))
  });
}
