// The offline half of Zapier's published integration checks, run over the built app definition
// (what Zapier itself reads: functions stand as "$func$…" strings). `zapier-platform validate`
// without --without-style needs Zapier's servers; these rules need nothing but the definition.
// docs/zapier.md lists which checks are enforced here and which only Zapier can run.
// Usage: node scripts/check-zapier-style.js <unzipped build.zip dir>
const path = require('node:path');

/** "Triggers when …" (docs.zapier.com, "Add a polling trigger": the description starts so). */
const TRIGGER_OPENING = /^Triggers when /;
/** "Start with the word 'Find'" (docs.zapier.com, "Add a search action"). */
const SEARCH_OPENING = /^Finds /;
/** An action says what it does, as a verb: "Creates …", "Deletes …", "Updates …". */
const CREATE_OPENING = /^[A-Z][a-z]+s\b/;
/** Words left in lower case inside a title-case label. */
const SMALL_WORDS = new Set([
  'a',
  'an',
  'and',
  'as',
  'at',
  'by',
  'for',
  'if',
  'in',
  'of',
  'on',
  'or',
  'the',
  'to',
  'with',
]);

/**
 * Every rule: an id (Zapier's own where its documentation names one), what it asks for, and a
 * check returning the problems found in a definition.
 */
const RULES = [
  descriptionRule('D021', 'triggers', TRIGGER_OPENING, '"Triggers when …"', 'visible trigger'),
  descriptionRule('DESC-SEARCH', 'searches', SEARCH_OPENING, '"Finds …"', 'search'),
  descriptionRule('DESC-CREATE', 'creates', CREATE_OPENING, 'a verb such as "Creates …"', 'action'),
  {
    id: 'DESC-DELETE',
    what: 'an action that deletes says it cannot be undone',
    check: (app) =>
      visible(app.creates)
        .filter(([key]) => /^(delete|remove)/.test(key))
        .filter(([, step]) => !/cannot be undone/i.test(step.display.description ?? ''))
        .map(([key]) => `creates.${key}: the description does not say it cannot be undone`),
  },
  {
    id: 'LABEL',
    what: 'operations have title-case labels; every input and output field has a label',
    check: (app) =>
      operations(app).flatMap(({ where, step }) => [
        ...(step.display.hidden || isTitleCase(step.display.label ?? '')
          ? []
          : [`${where}: label "${step.display.label ?? ''}" is not in title case`]),
        ...fields(step)
          .filter((field) => !nonEmpty(field.label))
          .map((field) => `${where}: field ${field.key} has no label`),
      ]),
  },
  {
    id: 'HELP',
    what: 'every input field of a visible operation, and every connection field, has help text',
    check: (app) => [
      ...operations(app)
        .filter(({ step }) => !step.display.hidden)
        .flatMap(({ where, step }) =>
          (step.operation.inputFields ?? [])
            .filter((field) => !nonEmpty(field.helpText))
            .map((field) => `${where}: input field ${field.key} has no help text`),
        ),
      ...authFields(app)
        .filter((field) => !nonEmpty(field.helpText))
        .map((field) => `authentication: field ${field.key} has no help text`),
    ],
  },
  {
    id: 'D002',
    what: 'connection fields link to where each value is found',
    check: (app) =>
      authFields(app)
        .filter((field) => !/\]\(https:\/\/[^)\s]+\)|https:\/\/\S+/.test(field.helpText ?? ''))
        .map((field) => `authentication: help text of ${field.key} has no link`),
  },
  {
    id: 'D004',
    what: 'ID input fields are dynamic dropdowns (or offer fixed choices)',
    check: (app) =>
      operations(app).flatMap(({ where, step }) =>
        (step.operation.inputFields ?? [])
          .filter((field) => /(^|_)id$/i.test(field.key) || /\bID$/.test(field.label ?? ''))
          .filter((field) => !field.dynamic && !field.choices)
          .map((field) => `${where}: ID field ${field.key} has no dynamic dropdown`),
      ),
  },
  {
    id: 'DYNAMIC',
    what: 'every dropdown names a hidden trigger that exists and outputs its value and label keys',
    check: (app) =>
      operations(app).flatMap(({ where, step }) =>
        (step.operation.inputFields ?? [])
          .filter((field) => typeof field.dynamic === 'string')
          .flatMap((field) => dropdownProblems(app, `${where}: field ${field.key}`, field.dynamic)),
      ),
  },
  {
    id: 'SAMPLE',
    what: 'every visible operation has a sample',
    check: (app) =>
      operations(app)
        .filter(({ step }) => !step.display.hidden)
        .filter(({ step }) => Object.keys(step.operation.sample ?? {}).length === 0)
        .map(({ where }) => `${where}: no sample`),
  },
  {
    id: 'OUTPUT',
    what: 'every key of a sample is described by an output field',
    check: (app) =>
      operations(app).flatMap(({ where, step }) => {
        const described = new Set((step.operation.outputFields ?? []).map((f) => f.key));
        return Object.keys(step.operation.sample ?? {})
          .filter((key) => !described.has(key))
          .map((key) => `${where}: sample key ${key} has no output field`);
      }),
  },
];

/** Visible operations of one kind open their description with `opening` and end it with a period. */
function descriptionRule(id, kind, opening, wanted, what) {
  return {
    id,
    what: `${what} descriptions start with ${wanted} and end with a period`,
    check: (app) =>
      visible(app[kind]).flatMap(([key, step]) => {
        const text = step.display.description ?? '';
        return [
          ...(opening.test(text)
            ? []
            : [`${kind}.${key}: the description does not start with ${wanted}`]),
          ...(/\.$/.test(text)
            ? []
            : [`${kind}.${key}: the description does not end with a period`]),
        ];
      }),
  };
}

function dropdownProblems(app, where, dynamic) {
  const [triggerKey, valueKey, labelKey] = dynamic.split('.');
  const trigger = (app.triggers ?? {})[triggerKey];
  if (trigger === undefined) return [`${where}: dropdown trigger ${triggerKey} does not exist`];
  const outputs = new Set([
    ...(trigger.operation.outputFields ?? []).map((f) => f.key),
    ...Object.keys(trigger.operation.sample ?? {}),
  ]);
  return [
    ...(trigger.display.hidden ? [] : [`${where}: dropdown trigger ${triggerKey} is not hidden`]),
    ...[valueKey, labelKey]
      .filter((key) => key !== undefined && !outputs.has(key))
      .map((key) => `${where}: dropdown trigger ${triggerKey} outputs no ${key}`),
  ];
}

function visible(group) {
  return Object.entries(group ?? {}).filter(([, step]) => !step.display.hidden);
}

function operations(app) {
  return ['triggers', 'creates', 'searches'].flatMap((kind) =>
    Object.entries(app[kind] ?? {}).map(([key, step]) => ({ where: `${kind}.${key}`, step })),
  );
}

function fields(step) {
  return [...(step.operation.inputFields ?? []), ...(step.operation.outputFields ?? [])];
}

function authFields(app) {
  return app.authentication?.fields ?? [];
}

function nonEmpty(text) {
  return typeof text === 'string' && text.trim() !== '';
}

function isTitleCase(label) {
  return label
    .split(/\s+/)
    .filter((word, i) => i === 0 || !SMALL_WORDS.has(word))
    .every((word) => !/^[a-z]/.test(word));
}

/** Every problem in `definition`, each prefixed with the id of the rule it breaks. */
function checkStyle(definition) {
  return RULES.flatMap((rule) => rule.check(definition).map((problem) => `${rule.id} ${problem}`));
}

module.exports = { checkStyle, RULES };

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? 'build/check');
  const { handler } = require(path.join(dir, 'zapierwrapper.js'));
  handler({ command: 'definition' }, { callbackWaitsForEmptyEventLoop: false }, (error, result) => {
    if (error) {
      console.error(`zapier style check could not load the app: ${error.message}`);
      process.exit(1);
    }
    const problems = checkStyle(result.results);
    for (const problem of problems) console.error(problem);
    if (problems.length > 0) process.exit(1);
    console.log(`zapier style check: ${RULES.length} rules, no problems`);
  });
}
