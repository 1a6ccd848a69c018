import { Suspense, lazy } from 'react';
import { Button, Card, Loading, PageTitle } from '../components/ui.jsx';
import PrivacySettings from './PrivacySettings.jsx';
import BlockedPeople from './BlockedPeople.jsx';
import ChangePassword from './ChangePassword.jsx';
import ChangeEmail from './ChangeEmail.jsx';
import Sessions from './Sessions.jsx';
import MailNotifications from './MailNotifications.jsx';
import BrowserNotifications from './BrowserNotifications.jsx';
import DeleteAccount from './DeleteAccount.jsx';

// Its own chunk: the verifier and the list load when the Account screen shows it.
const DecryptRecord = lazy(() => import('./DecryptRecord.jsx'));
const Passkeys = lazy(() => import('./Passkeys.jsx')); // its own chunk: the main bundle's budget
const TwoFactor = lazy(() => import('./TwoFactor.jsx')); // likewise

// The URL of the export: the server streams a zip with every image the person received and
// sent, and an index.json. A plain form POST, so the browser downloads it as it streams (no
// buffering in JavaScript) and stays on this screen; a POST because each export spends the
// person's export budget, which a link from another site must not.
export const EXPORT_URL = '/api/settings/export';

// onDeleted: the account is gone (the server cleared the session); the app forgets the user.
export default function Account({ me, onDeleted }) {
  return (
    <div className="space-y-6">
      <PageTitle sub={me ? `Signed in as ${me.username} (${me.email})` : undefined}>Account</PageTitle>
      <MailNotifications email={me?.email} />
      <BrowserNotifications />
      <PrivacySettings />
      <BlockedPeople />
      <ChangeEmail email={me?.email} />
      <ChangePassword />
      <Suspense fallback={null}>
        <Passkeys />
      </Suspense>
      <Suspense fallback={null}>
        <TwoFactor />
      </Suspense>
      <Sessions />
      <Card aria-labelledby="export-heading">
        <h2 id="export-heading" className="text-lg font-semibold text-slate-900">
          Export my data
        </h2>
        <p className="mt-2 text-sm text-slate-600">
          Download a zip of every image you received and sent, decrypted, with an index.json that lists each one: who it was
          with, when it was sent and opened, its caption and file name.
        </p>
        <p className="mt-2 text-sm text-slate-600">
          Your images stay unread when you export them. You can export a few times an hour.
        </p>
        <form method="post" action={EXPORT_URL} className="mt-4">
          <Button type="submit">Download my data (.zip)</Button>
        </form>
      </Card>
      <Suspense fallback={<Loading />}>
        <DecryptRecord />
      </Suspense>
      <DeleteAccount onDeleted={onDeleted} />
    </div>
  );
}
