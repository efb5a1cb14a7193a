/** The five `*_BUCKET` variables every function reads, for a stage (`ll-<stage>-bronze`, …): for config tests. */
export function lakeBucketsEnv(stage = 'dev'): Record<
  'BRONZE_BUCKET' | 'SILVER_BUCKET' | 'GOLD_BUCKET' | 'QUARANTINE_BUCKET' | 'ARTIFACTS_BUCKET',
  string
> {
  return {
    BRONZE_BUCKET: `ll-${stage}-bronze`,
    SILVER_BUCKET: `ll-${stage}-silver`,
    GOLD_BUCKET: `ll-${stage}-gold`,
    QUARANTINE_BUCKET: `ll-${stage}-quarantine`,
    ARTIFACTS_BUCKET: `ll-${stage}-artifacts`,
  };
}
