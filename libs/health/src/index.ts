export { HealthModule } from './health.module.js';
export { ReadinessDetails } from './health.controller.js';
