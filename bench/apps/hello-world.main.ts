// A baseline outside the pipeline: it reads its few settings from process.env itself, as a
// hand-written service would (libs/config is the pipeline's own).
// The ceiling: a bare NestJS hello-world route on the same platform (Express) as the ingress.
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'Hello World!';
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

const app = await NestFactory.create(HelloModule, { logger: ['error'] });
await app.listen(Number(process.env.PORT ?? 3100), '127.0.0.1');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
