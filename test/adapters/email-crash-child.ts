/**
 * The process the e-mail crash test kills: opens a data folder like Keel does, stores the SMTP
 * password, starts one send and runs it. The test sets KEEL_FAULT so the adapter kills this
 * process right after the server accepted the message.
 */
import { openDatabase } from '../../main/core/db/database';
import { Kernel } from '../../main/core/kernel/kernel';
import { startRun } from '../../main/core/kernel/operator';
import { emailFor, PASSWORD, sendOne, smtpSettings } from './email-fixtures';

const [dataDir, port] = process.argv.slice(2) as [string, string];
const { db } = await openDatabase(dataDir);
const { adapter, secrets } = emailFor(db, dataDir, () => smtpSettings(Number(port)));
await secrets.set('smtp.password', PASSWORD);
// 'critical': the send is below the threshold, so it needs no approval in this unattended child.
const kernel = new Kernel({ db, workflows: [sendOne], adapters: [adapter], riskThreshold: 'critical' });
await kernel.start();
const { id } = await startRun(kernel, { workflow: 'mail.one', input: { to: ['grace@example.org'], subject: 'Invoice 42', text: 'Please find the invoice.' }, idempotencyKey: 'crash-mail' });
console.log(`RUN ${id}`);
await kernel.idle();
await kernel.stop();
await db.close();
console.log('DONE');
