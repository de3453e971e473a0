import Link from "next/link";

export default function Forbidden() {
  return (
    <>
      <h1>Not allowed</h1>
      <p>Your role does not give access to this page. An admin can change your role under Users.</p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </>
  );
}
