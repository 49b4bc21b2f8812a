import { BLUEPRINT_USAGE, runBlueprintCommand } from '../../make/blueprint-command';
import type { Command } from '../command';

export const blueprintCommand: Command = {
  name: 'blueprint',
  summary: 'Write the Make scenario blueprint, data structures and import checklist',
  help: BLUEPRINT_USAGE,
  run: (argv, io) => runBlueprintCommand(argv, io),
};
