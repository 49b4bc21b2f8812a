export {
  MakeSimulator,
  type MakeSimulatorOptions,
  type MakeDelivery,
  type MakeDeliveryOptions,
  type MakeDeliveryResult,
  type MakeRunRecord,
  type IncompleteExecution,
} from './make-simulator';
export {
  MakeDataStores,
  ONE_MB,
  recordSize,
  type DataStoreDefinition,
  type RecordData,
} from './data-stores';
export {
  MakeUnsupportedError,
  MakeModuleError,
  ImlSyntaxError,
  type MakeErrorType,
} from './errors';
export { DEFAULT_INTERPRETATION, type MakeInterpretation, type Keychain } from './registry';
export type { ModuleSelector } from './scenario-run';
