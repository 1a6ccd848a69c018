import { Alert, Card, PageTitle } from '../components/ui.jsx';

export default function AuthLayout({ title, sub, notice, children, footer }) {
  return (
    <div className="mx-auto w-full max-w-md">
      <Card className="space-y-5">
        <PageTitle sub={sub}>{title}</PageTitle>
        {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
        {children}
      </Card>
      {footer && <p className="mt-4 text-center text-sm text-slate-600">{footer}</p>}
    </div>
  );
}
