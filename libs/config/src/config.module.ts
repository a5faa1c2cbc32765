import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { CONFIG_SECTIONS, ConfigSections } from './app-config.js';

// Registers already-validated config sections as global providers, keyed by their classes.
// Validation happens before Nest starts (load*Config), so a bad variable fails with one
// readable message instead of a stack trace from inside the DI container.

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ConfigSections): DynamicModule {
    const providers: Provider[] = [];
    for (const [key, token] of Object.entries(CONFIG_SECTIONS)) {
      const value = config[key as keyof ConfigSections];
      if (value !== undefined) providers.push({ provide: token, useValue: value });
    }
    return { module: ConfigModule, providers, exports: providers };
  }
}
