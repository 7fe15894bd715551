import { lastAttempt, type WebhookDelivery } from '../data/delivery.ts';

/** What a delivery's last attempt got: the HTTP status, or the error when no answer came. */
function lastStatus(delivery: WebhookDelivery): string {
  const last = lastAttempt(delivery);
  if (last === null) return 'not tried yet';
  return last.status_code !== null ? String(last.status_code) : (last.error ?? 'no answer');
}

/** Whether the delivery reached its receiver, or when it is tried next. */
function deliveredText(delivery: WebhookDelivery): string {
  if (delivery.status === 'delivered') return 'yes';
  if (delivery.status === 'failed') return 'no (gave up)';
  return delivery.next_attempt_at !== null
    ? `not yet (next try ${new Date(delivery.next_attempt_at).toLocaleTimeString()})`
    : 'not yet';
}

/** The webhook deliveries of a task: event, receiver, attempts (with each status), last status, delivered. */
export function WebhookTable({ deliveries }: { deliveries: WebhookDelivery[] }) {
  return (
    <table className="webhooks">
      <caption>Webhook deliveries</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col">URL</th>
          <th scope="col">Attempts</th>
          <th scope="col">Last status</th>
          <th scope="col">Delivered</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.id} className={`webhook-${delivery.status}`}>
            <td>
              <code>{delivery.event}</code>
            </td>
            <td className="mono">{delivery.url}</td>
            <td>
              {delivery.attempts.length}
              {delivery.attempts.length > 1 && (
                <span className="muted">
                  {' '}
                  ({delivery.attempts.map((attempt) => attempt.status_code ?? attempt.error ?? '?').join(', ')})
                </span>
              )}
            </td>
            <td>{lastStatus(delivery)}</td>
            <td className={delivery.status === 'delivered' ? 'ok' : delivery.status === 'failed' ? 'bad' : ''}>
              {deliveredText(delivery)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
