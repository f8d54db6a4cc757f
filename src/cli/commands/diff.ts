/** `tsproxy diff old.yaml new.yaml` (placeholder while it is written). */
import type { Command } from 'commander';
import type { ExitBox } from '../main.js';

export function registerDiff(_program: Command, _box: ExitBox): void {}
