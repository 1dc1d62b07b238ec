/** The simulator's express application: NgDP's API, the control API and a small status page. */
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Engine } from '../engine/engine.ts';
import { ApiFailure } from '../engine/errors.ts';
import { apiRouter } from './api/router.ts';
import { type ControlHooks, controlRouter } from './control/router.ts';
import { errorBody, errorMiddleware } from './support.ts';
import { statusPage } from './ui/status-page.ts';

export interface AppOptions {
  engine: Engine;
  control: ControlHooks;
  /** When set, the control API requires `Authorization: Bearer <token>`. */
  controlToken?: string;
  log: (line: string) => void;
}

function requireToken(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return (request: Request, _response: Response, next: NextFunction): void => {
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      next(
        new ApiFailure(
          401,
          'UNAUTHENTICATED',
          'the control API needs "Authorization: Bearer <control token>" on this bind address',
        ),
      );
      return;
    }
    next();
  };
}

export function createApp({ engine, control, controlToken, log }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use('/apis/v1', apiRouter(engine));
  if (controlToken !== undefined) app.use('/simulator/v1', requireToken(controlToken));
  app.use('/simulator/v1', controlRouter(engine, control));
  app.get('/', (_request, response) => {
    response.type('html').send(statusPage(engine, control.fixtures()));
  });
  app.use((request, response) => {
    response.status(404).json(errorBody('NOT_FOUND', `no such resource: ${request.method} ${request.path}`));
  });
  app.use(errorMiddleware(log));
  return app;
}
