import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { SECTION_TOKENS } from './sections.js';

// Registers already-validated config sections as global providers, keyed by their classes.
// Validation happens before Nest starts (loadAppConfig), so a bad variable fails with one
// readable message instead of a stack trace from inside the DI container.

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Partial<Record<keyof typeof SECTION_TOKENS, object>>): DynamicModule {
    const providers: Provider[] = [];
    for (const [key, token] of Object.entries(SECTION_TOKENS)) {
      const value = config[key as keyof typeof SECTION_TOKENS];
      if (value !== undefined) providers.push({ provide: token, useValue: value });
    }
    return { module: ConfigModule, providers, exports: providers };
  }
}
