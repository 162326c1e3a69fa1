import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { connectorsPlugin } from './plugins/connectors';

export * from './tokens';
export { CommandIDs } from './commands';

const plugins: JupyterFrontEndPlugin<any>[] = [connectorsPlugin]; // eslint-disable-line @typescript-eslint/no-explicit-any -- plugins provide different tokens

export default plugins;
