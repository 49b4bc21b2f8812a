// Flow control and error handler directives ("Overview of error handling in Make", "Quick error
// handling reference"). They cost no operation; the interpreter carries out what they mean.

export const ROUTER = 'builtin:BasicRouter';

export type Directive = 'Ignore' | 'Resume' | 'Commit' | 'Rollback' | 'Break';

export const DIRECTIVES: Readonly<Record<string, Directive>> = {
  'builtin:Ignore': 'Ignore',
  'builtin:Resume': 'Resume',
  'builtin:Commit': 'Commit',
  'builtin:Rollback': 'Rollback',
  'builtin:Break': 'Break',
};
