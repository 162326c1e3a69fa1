import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { connectorsPlugin } from './plugins/connectors';
import { drivesPlugin } from './plugins/drives';

export * from './tokens';
export { CommandIDs } from './commands';

const plugins: JupyterFrontEndPlugin<any>[] = [connectorsPlugin, drivesPlugin]; // eslint-disable-line @typescript-eslint/no-explicit-any -- plugins provide different tokens

export default plugins;
