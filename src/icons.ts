import { LabIcon } from '@jupyterlab/ui-components';

import bucketFilesSvg from '../style/icons/bucket-files.svg';
import bucketSvg from '../style/icons/bucket.svg';

export const bucketIcon = new LabIcon({
  name: 'jupyterlab-s3-connectors:bucket',
  svgstr: bucketSvg
});

/** The tab of an active connector's file browser. */
export const bucketFilesIcon = new LabIcon({
  name: 'jupyterlab-s3-connectors:bucket-files',
  svgstr: bucketFilesSvg
});
