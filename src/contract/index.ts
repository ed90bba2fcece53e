// The contract between the rooms: what the client (CLI, runs/), the workflows and the activities all use. It imports
// nothing from the rest of src/, so every layer may import it (dependency-cruiser checks that: .dependency-cruiser.cjs).
export * from './actionTypes';
export * from './assignment';
export * from './describeOutcome';
export * from './emailStatus';
export * from './failures';
export * from './launches';
export * from './runs';
export * from './searchAttributes';
export * from './skipReasons';
export * from './timing';
export * from './workflowIds';
export * from './workflows';
