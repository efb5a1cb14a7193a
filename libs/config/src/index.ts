export { parseConfig } from './parse-config';
export type { Env } from './parse-config';
export { envBoolean, envEnum, envList, envPositiveInt, envString } from './env-values';
