"""``python -m zdevents.sandbox``: run the sandbox until Ctrl-C."""

from zdevents.sandbox import main

raise SystemExit(main())
