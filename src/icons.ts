import { LabIcon } from '@jupyterlab/ui-components';

import bucketSvg from '../style/icons/bucket.svg';

export const bucketIcon = new LabIcon({
  name: 'jupyterlab-s3-connectors:bucket',
  svgstr: bucketSvg
});
