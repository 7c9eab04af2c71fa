import { spawnSync } from 'node:child_process';
import { MotoServer } from '../../rehearse/moto.js';

/** Whether moto's server is installed here (it is on the project's machine image; see moto-notes.md). */
export const motoAvailable = (): boolean =>
  spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/**
 * moto's server on a free loopback port, as an AWS service emulator: real request parsing, receipt handles,
 * visibility and size limits. The rehearsal's own server (IAM not enforced): one way to start it.
 */
export const startMoto = (): Promise<MotoServer> => MotoServer.start();
