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
