/** The simulator's express application: NgDP's API, the control API and a small status page. */
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Fixtures } from '../domain/seed.ts';
import type { Engine } from '../engine/engine.ts';
import { reject } from '../engine/rejections.ts';
import { errorBody } from '../wire/errors.ts';
import { apiRouter } from './api/router.ts';
import { controlRouter } from './control/router.ts';
import { errorMiddleware } from './rejections.ts';
import { statusPage } from './ui/status-page.ts';

export interface AppOptions {
  engine: Engine;
  fixtures: Fixtures;
  /** When set, the control API requires `Authorization: Bearer <token>`. */
  controlToken?: string;
  log: (line: string) => void;
}

function requireToken(token: string) {
  const expected = Buffer.from(`Bearer ${token}`);
  return (request: Request, _response: Response, next: NextFunction): void => {
    const presented = Buffer.from(request.headers.authorization ?? '');
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      next(reject.controlTokenRequired());
      return;
    }
    next();
  };
}

export function createApp({ engine, fixtures, controlToken, log }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use('/apis/v1', apiRouter(engine));
  if (controlToken !== undefined) app.use('/simulator/v1', requireToken(controlToken));
  app.use(
    '/simulator/v1',
    controlRouter(engine, () => fixtures),
  );
  app.get('/', (_request, response) => {
    response.type('html').send(statusPage(engine, fixtures));
  });
  app.use((request, response) => {
    response.status(404).json(errorBody('NOT_FOUND', `no such resource: ${request.method} ${request.path}`));
  });
  app.use(errorMiddleware(log));
  return app;
}
