import { useEffect } from 'react';

/** Sets the tab's title while the page is shown: "<title> · Switchyard". */
export function useDocumentTitle(title: string | null) {
  useEffect(() => {
    document.title = title ? `${title} · Switchyard` : 'Switchyard';
  }, [title]);
}
