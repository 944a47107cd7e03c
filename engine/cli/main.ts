import { Command, CommanderError, Option } from 'commander';
// command modules load on use: `--help` and `validate` never load database drivers
import { CliError, EXIT } from './exit-codes.js';

/** Terraform spells some flags with one dash (`-out`, `-restart`); accept both. */
export function normalizeArgs(argv: string[]): string[] {
  return argv.map((a) => a.replace(/^-(out|restart|auto-approve|allow-destructive|detailed-exitcode|json)(=|$)/, '--$1$2'));
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const formatOption = () =>
  new Option('--format <format>', 'output: text (default), json, or markdown (a pull-request comment)').choices([
    'text',
    'json',
    'markdown',
  ]);
const fileOption = () => new Option('-f, --file <path>', 'declaration file or directory (all *.yaml/*.yml in it)').default('.');

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.OK;
  const program = new Command()
    .name('migrate')
    .description('Declarative database migrations: plan, apply, full dump, CDC, promote.')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('validate')
    .description('check the declaration (schema and references); writes nothing')
    .addOption(fileOption())
    .option('--json', 'machine-readable result')
    .action(async (o) => {
      code = await (await import('./validate-command.js')).validateCommand(o);
    });

  program
    .command('plan')
    .description('show what apply would change, against the refreshed recorded state')
    .addOption(fileOption())
    .option('--json', 'print the plan as JSON (schemas/plan.schema.json); same as --format json')
    .addOption(formatOption())
    .option('--policy <file>', 'a YAML file with a `policy:` block; the stricter of it and the declared policy applies')
    .option('--detailed-exitcode', 'exit 0 = no changes, 1 = error, 2 = changes present')
    .option('--out <file>', 'save the plan for `migrate apply FILE` (also -out)')
    .option('--restart <address>', 'restart a job (job.NAME): wipe its destination databases and migrate again', collect)
    .option(
      '--no-refresh',
      'skip the live checks before planning (replication slots, workers, prerequisites of the jobs it would run)',
    )
    .action(async (o) => {
      code = await (await import('./plan-command.js')).planCommand(o);
    });

  program
    .command('apply')
    .description('execute a plan (saved or fresh) and wait until every job reaches its desired state')
    .argument('[planfile]', 'a plan saved by `migrate plan -out`')
    .addOption(fileOption())
    .option('--auto-approve', 'do not ask for confirmation (required without a terminal)')
    .option('--allow-destructive', 'allow restart, replace, delete of active jobs and database removal')
    .option('--timeout <seconds>', 'stop waiting after this many seconds (exit 5); 0 = no limit', (v) => Number(v), 0)
    .option('--no-wait', 'record the new desired state and return without running jobs')
    .option('--restart <address>', 'restart a job (job.NAME)', collect)
    .option('--no-refresh', 'plan without the live checks (replication slots, prerequisites of the jobs it would run)')
    .option('--policy <file>', 'a YAML file with a `policy:` block; the stricter of it and the declared policy applies')
    .option(
      '--approved-by <name>',
      'who approves the destructive actions, one of the policy approvers (policy destructive: require-approval; default env MIGRATE_APPROVED_BY)',
    )
    .option('--no-color', 'plain progress lines instead of live bars, even on a terminal (also NO_COLOR, CI)')
    .action(async (planfile: string | undefined, o) => {
      code = await (await import('./apply-command.js')).applyCommand(planfile, o);
    });

  program
    .command('show')
    .description('print a plan saved by `migrate plan -out` (text, JSON, or Markdown for a pull-request comment)')
    .argument('<planfile>', 'a plan saved by `migrate plan -out`')
    .addOption(formatOption())
    .option('--json', 'same as --format json')
    .action(async (planfile: string, o) => {
      code = (await import('./show-command.js')).showCommand(planfile, o);
    });

  program
    .command('status')
    .description('status and progress per job, database and table')
    .argument('[job]', 'only this job')
    .addOption(fileOption())
    .option('--json', 'machine-readable (schemas/status.schema.json)')
    .option('--watch', 'refresh until interrupted')
    .option('--interval <seconds>', 'refresh interval for --watch', (v) => Number(v), 2)
    .option('--no-color', '--watch redraws the plain status instead of live bars (also NO_COLOR, CI)')
    .action(async (job: string | undefined, o) => {
      code = await (await import('./status-command.js')).statusCommand(job, o);
    });

  program
    .command('force-unlock')
    .description('remove a state lock left behind by a killed apply')
    .argument('<id>', 'the lock ID printed in the lock error')
    .addOption(fileOption())
    .action(async (id: string, o) => {
      code = await (await import('./force-unlock-command.js')).forceUnlockCommand(id, o);
    });

  program
    .command('verify')
    .description('compare source and destination row by row (chunked checksums); exit 0 equal, 3 different')
    .argument('<job>', 'the job to verify')
    .addOption(fileOption())
    .option('--database <name>', 'only this source database')
    .option('--json', 'machine-readable result')
    .option('--chunk-rows <n>', 'rows per checksum chunk', (v) => Number(v), 10_000)
    .action(async (job: string, o) => {
      code = await (await import('./verify-command.js')).verifyCommand(job, o);
    });

  program
    .command('worker')
    .description('serve jobs from the state backend until interrupted (keeps continuous jobs replicating)')
    .addOption(fileOption())
    .option('--lease-ttl <seconds>', 'lease time-to-live: a silent worker loses its jobs after this long', (v) => Number(v), 15)
    .option(
      '--metrics-address <host:port>',
      'serve /metrics (Prometheus), /healthz and /readyz on this address, e.g. 127.0.0.1:9464 (loopback unless a host is given)',
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines: text (default) or json (one object a line; env MIGRATE_LOG_FORMAT)',
      ).choices(['text', 'json']),
    )
    .action(async (o) => {
      code = await (await import('./worker-command.js')).workerCommand(o);
    });

  try {
    await program.parseAsync(normalizeArgs(argv));
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.OK : EXIT.ERROR;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`error: ${e.message}\n`);
    if (process.env.MIGRATE_LOG === 'debug' && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT.ERROR;
  }
  return code;
}
