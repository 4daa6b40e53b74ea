import { FormEvent, useRef, useState } from "react";
import { useMutation, useQuery } from "convex/react";
import { api } from "../convex/_generated/api";

const siteUrl = import.meta.env.VITE_CONVEX_URL.replace(".convex.cloud", ".convex.site");

export function Uploader() {
  const generateUploadUrl = useMutation(api.files.generateUploadUrl);
  const save = useMutation(api.files.save);
  const files = useQuery(api.files.list) || [];
  const input = useRef<HTMLInputElement>(null);
  const [selected, setSelected] = useState<File | null>(null);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!selected) return;
    const postUrl = await generateUploadUrl();
    const result = await fetch(postUrl, {
      method: "POST",
      headers: { "Content-Type": selected.type },
      body: selected,
    });
    const { storageId } = await result.json();
    await save({ storageId, name: selected.name, contentType: selected.type });
    setSelected(null);
    input.current!.value = "";
  }

  async function sendViaHttp() {
    if (!selected) return;
    await fetch(`${siteUrl}/sendImage?author=web`, { method: "POST", body: selected });
  }

  return (
    <form onSubmit={handleSubmit}>
      <input type="file" ref={input} onChange={(e) => setSelected(e.target.files?.[0] ?? null)} />
      <button type="submit">Upload</button>
      <button type="button" onClick={sendViaHttp}>Upload over HTTP</button>
      {files.map((file) => (
        <img key={file._id} src={file.url ?? undefined} alt={file.name} />
      ))}
    </form>
  );
}
