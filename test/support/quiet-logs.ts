// Unit and e2e suites assert on behaviour, not on log lines: keep Nest's logger quiet
// (errors still print). LOG_IN_TESTS=1 shows everything.
import { Logger } from '@nestjs/common';

if (!process.env.LOG_IN_TESTS) Logger.overrideLogger(['error', 'fatal']);
