/**
 * Integration tests talk to the real local stack. This checks it answers before any test runs,
 * and says how to start it when it does not.
 */
import net from 'node:net';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setTimeout(1500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export default async function globalSetup(): Promise<void> {
  const kafkaPort = Number(process.env.KAFKA_PORT ?? 9092);
  const dbPort = Number(process.env.MARIADB_PORT ?? 3306);
  const missing = [];
  if (!(await answers(dbPort))) missing.push(`MariaDB on 127.0.0.1:${dbPort}`);
  if (!(await answers(kafkaPort))) missing.push(`Kafka on 127.0.0.1:${kafkaPort}`);
  if (missing.length) {
    throw new Error(
      `The local stack is not running (${missing.join(', ')}). Start it with \`npm run infra:up\`.`,
    );
  }
}
