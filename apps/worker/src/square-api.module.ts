import { Module } from '@nestjs/common';
import { SquareApiConfig } from '@app/config';
import { httpStatusLabel, squareApiRequests, squareApiSeconds, squareApiUnauthorized } from '@app/metrics';
import { SquareApiClient } from '@app/square-api';

/** Square's API for the worker (processing and the periodic passes), its calls counted in /metrics. */
@Module({
  providers: [{ provide: SquareApiClient, inject: [SquareApiConfig], useFactory: squareApiClient }],
  exports: [SquareApiClient],
})
export class SquareApiModule {}

function squareApiClient(config: SquareApiConfig): SquareApiClient {
  return new SquareApiClient(config, (operation, status, seconds) => {
    const labels = { operation, status: httpStatusLabel(status) };
    squareApiRequests.inc(labels);
    squareApiSeconds.observe(labels, seconds);
    // What SquareTokenRejected alerts on: a 401 is one of many 4xx.
    if (status === '401') squareApiUnauthorized.inc({ operation });
  });
}
