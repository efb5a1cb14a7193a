'use strict';

// The Lambda functions the row-pipeline definition names, read from the definition itself at
// package time, so that the state machine's role can invoke exactly those (a Task added to the
// definition, e.g. promotion, is allowed by the next package, and nothing else ever is).
// serverless.yml: `${file(./row-pipeline-functions.js):invokeArns}`.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const DEFINITION = join(__dirname, '..', 'libs', 'state-machine', 'src', 'row-pipeline.asl.json');
const LAMBDA_ARN = /^arn:#\{AWS::Partition\}:lambda:#\{AWS::Region\}:#\{AWS::AccountId\}:function:(ledgerlake-#\{Stage\}-[a-z0-9-]+)$/;

/** Every Task Resource of a set of states, recursing into Map and Parallel states. */
function taskResources(states) {
  return Object.entries(states.States).flatMap(([name, state]) => {
    const nested = [state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].filter(Boolean);
    const own = state.Type === 'Task' ? [[name, state.Resource]] : [];
    return [...own, ...nested.flatMap(taskResources)];
  });
}

const definition = JSON.parse(readFileSync(DEFINITION, 'utf8'));
const functionNames = [
  ...new Set(
    taskResources(definition).map(([state, resource]) => {
      const match = LAMBDA_ARN.exec(resource);
      if (match === null) {
        // Any other integration needs its own, reviewed statement in serverless.yml.
        throw new Error(`infra: Task ${state} has Resource ${resource}, not a ledgerlake-#{Stage}-<fn> Lambda ARN`);
      }
      return match[1];
    }),
  ),
];

module.exports = {
  /** `ledgerlake-#{Stage}-<fn>` for every function a Task names, in definition order. */
  functionNames,
  /** Their ARNs, as `Fn::Sub` strings for the state machine's role. */
  invokeArns: functionNames.map((name) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${name.replace('#{Stage}', '${Stage}')}`,
  })),
};
