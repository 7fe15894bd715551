import unittest

from pyconf.env import expand


class ExpandTests(unittest.TestCase):
    def test_plain_and_braced_names(self):
        env = {"HOME": "/home/ada", "USER": "ada"}
        self.assertEqual(expand("$HOME/${USER}.txt", env), "/home/ada/ada.txt")

    def test_unset_name_becomes_empty(self):
        self.assertEqual(expand("[${MISSING}]", {}), "[]")

    def test_text_without_references(self):
        self.assertEqual(expand("no refs, 5$", {}), "no refs, 5$")

    def test_default_when_unset(self):
        self.assertEqual(expand("${PORT:-8080}", {}), "8080")
        self.assertEqual(expand("${PORT:-8080}", {"PORT": "9000"}), "9000")

    def test_default_when_empty(self):
        self.assertEqual(expand("${PORT:-8080}", {"PORT": ""}), "8080")

    def test_default_may_be_empty_or_contain_text(self):
        self.assertEqual(expand("[${X:-}]", {}), "[]")
        self.assertEqual(expand("${URL:-http://localhost:80/a}", {}), "http://localhost:80/a")
