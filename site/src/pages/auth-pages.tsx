import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import * as directory from '../auth/directory';
import { useSession } from '../auth/session';
import { useAction } from '../components/use-load';
import { ErrorMessage, Field, PageTitle } from '../components/ui';

const passwordHint = 'At least 8 characters, with upper and lower case letters, a digit and a symbol.';

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
      await directory.signUp(email, password);
      return true;
    });
    if (done) navigate(`/sign-up/confirm?email=${encodeURIComponent(email)}`);
  }
  return (
    <section className="narrow">
      <PageTitle title="Sign up">Sign up</PageTitle>
      <p>Use the email your vendor or reseller has on file to see your accounts' licenses at once.</p>
      <form onSubmit={submit}>
        <Field label="Email">{(props) => <input {...props} type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}</Field>
        <Field label="Password" hint={passwordHint}>
          {(props) => <input {...props} type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(event) => setPassword(event.target.value)} />}
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
  const { pending, error, run } = useAction();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [code, setCode] = useState('');
  const [resent, setResent] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(async () => {
      await directory.confirmSignUp(email, code.trim());
      return true;
    });
    if (done) navigate(`/sign-in?email=${encodeURIComponent(email)}&confirmed=1`);
  }
  return (
    <section className="narrow">
      <PageTitle title="Confirm your email">Confirm your email</PageTitle>
      <p>We sent a code to your email. Enter it here to finish signing up.</p>
      <form onSubmit={submit}>
        <Field label="Email">{(props) => <input {...props} type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />}</Field>
        <Field label="Code">{(props) => <input {...props} inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(event) => setCode(event.target.value)} />}</Field>
        <ErrorMessage error={error} />
        <div className="actions">
          <button className="primary" disabled={pending}>
            Confirm
          </button>
          <button type="button" disabled={pending || !email} onClick={() => void run(() => directory.resendCode(email)).then(() => setResent(true))}>
            Send a new code
          </button>
        </div>
        {resent && <p role="status">A new code is on its way.</p>}
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
      await session.signIn(email, password);
      return true;
    });
    if (done) navigate(next, { replace: true });
  }
  return (
    <section className="narrow">
      <PageTitle title="Sign in">Sign in</PageTitle>
      {search.get('confirmed') && <p role="status">Your email is confirmed. Sign in to continue.</p>}
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
        await directory.forgotPassword(email);
        return true;
      });
      if (sent) setCodeSent(true);
      return;
    }
    const reset = await run(async () => {
      await directory.confirmForgotPassword(email, code.trim(), password);
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
            <Field label="Code">{(props) => <input {...props} inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(event) => setCode(event.target.value)} />}</Field>
            <Field label="New password" hint={passwordHint}>
              {(props) => <input {...props} type="password" autoComplete="new-password" required minLength={8} value={password} onChange={(event) => setPassword(event.target.value)} />}
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
