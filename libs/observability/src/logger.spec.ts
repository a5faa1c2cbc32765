import { jest } from '@jest/globals';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  const lines = (level: 'log' | 'debug', write: (logger: ReturnType<typeof createLogger>) => void) => {
    const out: string[] = [];
    const spy = jest
      .spyOn(process.stdout, 'write')
      .mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    try {
      write(createLogger({ level, format: 'json' }));
    } finally {
      spy.mockRestore();
    }
    return out.map((l) => JSON.parse(l) as { context: string; message: string });
  };
  const startUp = (logger: ReturnType<typeof createLogger>) => {
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('WorkerModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/health/live, GET} route', 'RouterExplorer');
    logger.log('listening on :3000', 'Ingress');
    logger.log('forwarding', { destinations: ['main'] }, 'ForwardWorkers');
  };

  it("prints our lines and not Nest's start-up boilerplate", () => {
    expect(lines('log', startUp).map((l) => l.context)).toEqual(['Ingress', 'ForwardWorkers']);
  });

  it('prints the boilerplate too from LOG_LEVEL=debug', () => {
    expect(lines('debug', startUp)).toHaveLength(5);
  });
});
