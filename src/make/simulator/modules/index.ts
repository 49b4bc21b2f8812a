import type { ModuleFamily } from '../registry';
import { datastoreModules } from './datastore';
import { gatewayModules } from './gateway';
import { httpModules } from './http';
import { toolModules } from './tools';

/** Every module the simulator models, by its Make name. */
export const MODULES: ModuleFamily = {
  ...gatewayModules,
  ...toolModules,
  ...datastoreModules,
  ...httpModules,
};
