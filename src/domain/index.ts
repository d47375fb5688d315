// The pure lead domain: schemas, lifecycle, scoring, handoff gate, merge and SLA. No I/O, no clock.
export * from './change-event.ts';
export * from './duration.ts';
export * from './handoff-gate.ts';
export * from './handoff-schema.ts';
export * from './lead.ts';
export * from './lifecycle-mapping.ts';
export * from './lifecycle-schema.ts';
export * from './lifecycle.ts';
export * from './merge.ts';
export * from './ownership-schema.ts';
export * from './scoring-schema.ts';
export * from './scoring.ts';
export * from './sla-schema.ts';
export * from './sla.ts';
export * from './stage-reconcile.ts';
export * from './system-fields.ts';
export * from './values.ts';
