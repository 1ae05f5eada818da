import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { describePasswordPolicy, passwordPolicy } from '@license-activation/contract/password-policy';
import * as directory from '../auth/directory';
import { useSession } from '../auth/session';
import { useAction } from '../components/use-load';
import { ErrorMessage, Field, PageTitle } from '../components/ui';

/** What the directory enforces, locally and on AWS: the same policy (packages/contract/src/password-policy.ts). */
const passwordHint = describePasswordPolicy();

/** The codes the directory e-mails are 6 digits; pasted with spaces or a line break, they still fit. */
const codeLength = 6;

function CodeField({ code, onChange }: { code: string; onChange: (code: string) => void }) {
  return (
    <Field label="Code" hint={`The ${codeLength} digits from the email.`}>
      {(props) => (
        <input
          {...props}
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          pattern={`[0-9]{${codeLength}}`}
          // Room for the spaces or dashes a mail reader may show between the digits; only the digits are kept.
          maxLength={codeLength * 2}
          value={code}
          onChange={(event) => onChange(event.target.value.replace(/\D/g, '').slice(0, codeLength))}
        />
      )}
    </Field>
  );
}

/** Only a path on this site: `next` must not send a person elsewhere after signing in. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function SignUpPage() {
  const navigate = useNavigate();
  const { pending, error, run } = useAction();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(async () => {
      await directory.signUp(email.trim(), password);
      return true;
    });
    if (done) navigate(`/sign-up/confirm?email=${encodeURIComponent(email.trim())}`);
  }
  return (
    <section className="narrow">
      <PageTitle title="Sign up">Sign up</PageTitle>
      <p>Use the email your vendor or reseller has on file to see your accounts' licenses at once.</p>
      <form onSubmit={submit}>
        <Field label="Email">{(props) => <input {...props} type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}</Field>
        <Field label="Password" hint={passwordHint}>
          {(props) => <input {...props} type="password" autoComplete="new-password" required minLength={passwordPolicy.minLength} value={password} onChange={(event) => setPassword(event.target.value)} />}
        </Field>
        <ErrorMessage error={error} />
        <button className="primary" disabled={pending}>
          {pending ? 'Signing up…' : 'Sign up'}
        </button>
      </form>
      <p>
        Already signed up? <Link to="/sign-in">Sign in</Link>.
      </p>
    </section>
  );
}

export function ConfirmSignUpPage() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const { pending, error, run, clearError } = useAction();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [code, setCode] = useState('');
  // Who the last new code went to: shown only until the next action, and never beside an error.
  const [resentTo, setResentTo] = useState<string>();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setResentTo(undefined);
    const done = await run(async () => {
      await directory.confirmSignUp(email.trim(), code);
      return true;
    });
    if (done) navigate(`/sign-in?email=${encodeURIComponent(email.trim())}&confirmed=1`);
  }
  async function resend() {
    setResentTo(undefined);
    clearError();
    const sent = await run(async () => {
      await directory.resendCode(email.trim());
      return true;
    });
    if (sent) setResentTo(email.trim());
  }
  return (
    <section className="narrow">
      <PageTitle title="Confirm your email">Confirm your email</PageTitle>
      <p>We sent a code to your email. Enter it here to finish signing up.</p>
      <form onSubmit={submit}>
        <Field label="Email">{(props) => <input {...props} type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}</Field>
        <CodeField code={code} onChange={setCode} />
        <ErrorMessage error={error} />
        {resentTo && !error && (
          <p role="status" className="success">
            A new code is on its way to {resentTo}.
          </p>
        )}
        <div className="actions">
          <button className="primary" disabled={pending}>
            Confirm
          </button>
          <button type="button" disabled={pending || !email.trim()} onClick={() => void resend()}>
            Send a new code
          </button>
        </div>
      </form>
    </section>
  );
}

export function SignInPage() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const session = useSession();
  const { pending, error, run } = useAction();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [password, setPassword] = useState('');
  const next = safeNext(search.get('next'));
  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(async () => {
      await session.signIn(email.trim(), password);
      return true;
    });
    if (done) navigate(next, { replace: true });
  }
  return (
    <section className="narrow">
      <PageTitle title="Sign in">Sign in</PageTitle>
      {search.get('confirmed') && (
        <p role="status" className="success">
          Your email is confirmed. Sign in to continue.
        </p>
      )}
      <form onSubmit={submit}>
        <Field label="Email">{(props) => <input {...props} type="email" autoComplete="username" required value={email} onChange={(event) => setEmail(event.target.value)} />}</Field>
        <Field label="Password">
          {(props) => <input {...props} type="password" autoComplete="current-password" required value={password} onChange={(event) => setPassword(event.target.value)} />}
        </Field>
        <ErrorMessage error={error} />
        <button className="primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · New here? <Link to="/sign-up">Sign up</Link>.
      </p>
    </section>
  );
}

export function SignOutPage() {
  const { signOut } = useSession();
  const [done, setDone] = useState(false);
  useEffect(() => {
    void signOut().finally(() => setDone(true));
  }, [signOut]);
  return (
    <section className="narrow">
      <PageTitle title="Sign out">{done ? 'You are signed out' : 'Signing out…'}</PageTitle>
      {done && (
        <p>
          <Link to="/sign-in">Sign in again</Link>
        </p>
      )}
    </section>
  );
}

export function ForgotPasswordPage() {
  const navigate = useNavigate();
  const { pending, error, run } = useAction();
  const [email, setEmail] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!codeSent) {
      const sent = await run(async () => {
        await directory.forgotPassword(email.trim());
        return true;
      });
      if (sent) setCodeSent(true);
      return;
    }
    const reset = await run(async () => {
      await directory.confirmForgotPassword(email.trim(), code, password);
      return true;
    });
    if (reset) navigate(`/sign-in?email=${encodeURIComponent(email)}`);
  }
  return (
    <section className="narrow">
      <PageTitle title="Reset your password">Reset your password</PageTitle>
      <form onSubmit={submit}>
        <Field label="Email">
          {(props) => <input {...props} type="email" autoComplete="email" required readOnly={codeSent} value={email} onChange={(event) => setEmail(event.target.value)} />}
        </Field>
        {codeSent && (
          <>
            <p role="status">If that email has an account, a code is on its way.</p>
            <CodeField code={code} onChange={setCode} />
            <Field label="New password" hint={passwordHint}>
              {(props) => <input {...props} type="password" autoComplete="new-password" required minLength={passwordPolicy.minLength} value={password} onChange={(event) => setPassword(event.target.value)} />}
            </Field>
          </>
        )}
        <ErrorMessage error={error} />
        <button className="primary" disabled={pending}>
          {codeSent ? 'Set the new password' : 'Send me a code'}
        </button>
      </form>
    </section>
  );
}
